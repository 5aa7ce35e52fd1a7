package fastredis

import (
	"errors"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// The query parameters of ParseURL. Their values never appear in errors:
// any of them may be, or hold, the password.

// paramKind says how a parameter's value reads.
type paramKind int

const (
	kindString   paramKind = iota
	kindCount              // a whole number, 0 or more
	kindBool               // true or false (1 or 0, ...)
	kindDuration           // a Go duration or whole seconds
	kindRetries            // a number from -1, none or unlimited
	kindProtocol           // 2 or 3
)

// want says what a parameter of the kind takes, for errors.
func (k paramKind) want() string {
	switch k {
	case kindCount:
		return "a whole number, 0 or more"
	case kindBool:
		return "true or false"
	case kindDuration:
		return "a duration such as 500ms, or whole seconds"
	case kindRetries:
		return "a number from -1, none or unlimited"
	case kindProtocol:
		return "2 or 3"
	}
	return "a string"
}

// paramValue is a parameter's value, read as its kind says.
type paramValue struct {
	s string
	n int
	b bool
	d time.Duration
}

// urlParam is a parameter ParseURL knows.
type urlParam struct {
	kind paramKind
	// set applies the value; nil means setParams does.
	set func(ps *paramState, v paramValue) error
}

// paramState is what setting the parameters builds up.
type paramState struct {
	o *Options
}

var errSkipVerify = errors.New("only for rediss://")

var urlParams = map[string]urlParam{
	// The options they name.
	"db":                  {kindCount, func(ps *paramState, v paramValue) error { ps.o.DB = v.n; return nil }},
	"protocol":            {kindProtocol, func(ps *paramState, v paramValue) error { ps.o.Protocol = v.n; return nil }},
	"client_name":         {kindString, func(ps *paramState, v paramValue) error { ps.o.ClientName = v.s; return nil }},
	"username":            {kindString, nil}, // set by setParams, which checks the user information
	"password":            {kindString, nil}, // likewise
	"dial_timeout":        {kindDuration, func(ps *paramState, v paramValue) error { ps.o.DialTimeout = v.d; return nil }},
	"read_timeout":        {kindDuration, func(ps *paramState, v paramValue) error { ps.o.ReadTimeout = v.d; return nil }},
	"socket_timeout":      {kindDuration, func(ps *paramState, v paramValue) error { ps.o.SocketTimeout = v.d; return nil }},
	"blocking_timeout":    {kindDuration, func(ps *paramState, v paramValue) error { ps.o.BlockingTimeout = v.d; return nil }},
	"pool_size":           {kindCount, func(ps *paramState, v paramValue) error { ps.o.PoolSize = v.n; return nil }},
	"max_pending":         {kindCount, func(ps *paramState, v paramValue) error { ps.o.MaxPending = v.n; return nil }},
	"max_dedicated_conns": {kindCount, func(ps *paramState, v paramValue) error { ps.o.MaxDedicatedConns = v.n; return nil }},
	"key_prefix":          {kindString, func(ps *paramState, v paramValue) error { ps.o.KeyPrefix = v.s; return nil }},
	"lazy_connect":        {kindBool, func(ps *paramState, v paramValue) error { ps.o.LazyConnect = v.b; return nil }},
	"disable_resend":      {kindBool, func(ps *paramState, v paramValue) error { ps.o.DisableResend = v.b; return nil }},
	"disable_offline_queue": {kindBool, func(ps *paramState, v paramValue) error {
		ps.o.DisableOfflineQueue = v.b
		return nil
	}},
	"max_retries_per_request": {kindRetries, func(ps *paramState, v paramValue) error {
		ps.o.MaxRetriesPerRequest = v.n
		return nil
	}},
	"skip_verify": {kindBool, func(ps *paramState, v paramValue) error {
		if ps.o.TLSConfig == nil {
			return errSkipVerify
		}
		ps.o.TLSConfig.InsecureSkipVerify = v.b
		return nil
	}},
}

// setParams applies the query parameters q to o. Its errors name a
// parameter only when p.show allows, and never show a value: any value may
// be, or hold, the password.
func (p *urlParser) setParams(o *Options, q url.Values) error {
	ps := paramState{o: o}
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	slices.Sort(names) // the same error for the same URL
	for _, name := range names {
		values := q[name]
		param, ok := urlParams[name]
		if !ok {
			_, err := p.fail("unknown parameter %s", name)
			return err
		}
		if len(values) != 1 {
			_, err := p.fail("parameter %s given "+strconv.Itoa(len(values))+" times", name)
			return err
		}
		s := values[0]
		v, ok := readParam(param.kind, s)
		if !ok {
			_, err := p.fail("parameter %s: not a valid value (want "+param.kind.want()+")", name)
			return err
		}
		if param.set == nil {
			continue
		}
		if err := param.set(&ps, v); err != nil {
			_, err := p.fail("parameter %s: "+err.Error(), name)
			return err
		}
	}
	if user := q.Get("username"); q.Has("username") {
		if o.Username != "" {
			_, err := p.fail("a user name both before the host and as the username parameter")
			return err
		}
		o.Username = user
	}
	if pw := q.Get("password"); q.Has("password") {
		if p.userinfoPassword {
			_, err := p.fail("a password both before the host and as the password parameter")
			return err
		}
		o.Password = pw
	}
	return nil
}

// readParam reads s as kind says.
func readParam(kind paramKind, s string) (paramValue, bool) {
	v := paramValue{s: s}
	var err error
	switch kind {
	case kindCount:
		v.n, err = strconv.Atoi(s)
		if v.n < 0 {
			return v, false
		}
	case kindProtocol:
		v.n, err = strconv.Atoi(s)
		if v.n != 2 && v.n != 3 {
			return v, false
		}
	case kindBool:
		v.b, err = strconv.ParseBool(s)
	case kindDuration:
		v.d, err = parseDuration(s)
	case kindRetries:
		switch s {
		case "none":
			v.n = NoRetries
		case "unlimited":
			v.n = UnlimitedRetries
		default:
			v.n, err = strconv.Atoi(s)
			if v.n < NoRetries {
				return v, false
			}
		}
	}
	return v, err == nil
}

// parseDuration reads a Go duration or a whole number of seconds.
func parseDuration(s string) (time.Duration, error) {
	if n, err := strconv.Atoi(s); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	return time.ParseDuration(s)
}
