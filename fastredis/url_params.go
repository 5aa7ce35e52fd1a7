package fastredis

import (
	"errors"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// The query parameters of ParseURL. go-redis users bring their URLs along,
// so every parameter of go-redis's ParseURL (v9) is accepted: those with a
// meaning here set the matching option, the others (connection-pool tuning,
// which a client that pipelines many callers on a few connections does not
// have) are checked like go-redis checks them and then ignored. The README
// lists them all.

// paramKind says how a parameter's value reads.
type paramKind int

const (
	kindString   paramKind = iota
	kindCount              // a whole number, 0 or more
	kindInt                // a whole number
	kindBool               // true or false (1 or 0, ...)
	kindDuration           // a Go duration or whole seconds; 0 or less is none
	kindRetries            // a number from -1, none or unlimited
	kindProtocol           // 2 or 3 (0: the default)
)

// want says what a parameter of the kind takes, for errors.
func (k paramKind) want() string {
	switch k {
	case kindCount:
		return "a whole number, 0 or more"
	case kindInt:
		return "a whole number"
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
	// set applies the value; nil means accepted, no effect.
	set func(ps *paramState, v paramValue) error
}

// paramState is what setting the parameters builds up.
type paramState struct {
	o                      *Options
	minBackoff, maxBackoff time.Duration // set: RetryStrategy between them
	backoff                bool
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

	// go-redis's, mapped. max_retries counts the retries of a command in
	// go-redis, the reconnect attempts a command waits through here; -1 is
	// no retries (NoRetries) and 0 the default in both.
	"max_retries": {kindRetries, func(ps *paramState, v paramValue) error {
		ps.o.MaxRetriesPerRequest = v.n
		return nil
	}},
	// The wait between go-redis's retries is held between these two; here
	// they bound the wait before each reconnect attempt (backoffStrategy).
	"min_retry_backoff": {kindDuration, func(ps *paramState, v paramValue) error {
		ps.minBackoff, ps.backoff = v.d, true
		return nil
	}},
	"max_retry_backoff": {kindDuration, func(ps *paramState, v paramValue) error {
		ps.maxBackoff, ps.backoff = v.d, true
		return nil
	}},

	// go-redis's, accepted, no effect. A command's write is bounded, with
	// its reply, by its context or read_timeout, and a server that stops
	// reading by socket_timeout: there is no separate write deadline.
	"write_timeout": {kindDuration, nil},
	// fastredis keeps pool_size pipelined connections, shared by all
	// callers, open for the client's life: there is no pool to wait for,
	// grow, trim or recycle.
	"pool_fifo":                {kindBool, nil},
	"pool_timeout":             {kindDuration, nil},
	"min_idle_conns":           {kindInt, nil},
	"max_idle_conns":           {kindInt, nil},
	"max_active_conns":         {kindInt, nil},
	"max_concurrent_dials":     {kindInt, nil},
	"conn_max_idle_time":       {kindDuration, nil},
	"idle_timeout":             {kindDuration, nil}, // go-redis's older name for conn_max_idle_time
	"conn_max_lifetime":        {kindDuration, nil},
	"max_conn_age":             {kindDuration, nil}, // go-redis's older name for conn_max_lifetime
	"conn_max_lifetime_jitter": {kindDuration, nil},
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
			return p.errorf("unknown parameter %s", name)
		}
		if len(values) != 1 {
			return p.errorf("parameter %s given "+strconv.Itoa(len(values))+" times", name)
		}
		s := values[0]
		if s == "" && param.kind != kindString {
			continue // the default, as in go-redis
		}
		v, ok := readParam(param.kind, s)
		if !ok {
			return p.errorf("parameter %s: not a valid value (want "+param.kind.want()+")", name)
		}
		if param.set == nil {
			continue
		}
		if err := param.set(&ps, v); err != nil {
			return p.errorf("parameter %s: "+err.Error(), name)
		}
	}
	if q.Has("max_retries") && q.Has("max_retries_per_request") {
		return p.errorf("both max_retries and max_retries_per_request")
	}
	if user := q.Get("username"); q.Has("username") {
		if o.Username != "" {
			return p.errorf("a user name both before the host and as the username parameter")
		}
		o.Username = user
	}
	if pw := q.Get("password"); q.Has("password") {
		if p.userinfoPassword {
			return p.errorf("a password both before the host and as the password parameter")
		}
		o.Password = pw
	}
	if ps.backoff {
		o.RetryStrategy = backoffStrategy(ps.minBackoff, ps.maxBackoff)
	}
	return nil
}

// readParam reads s as kind says.
func readParam(kind paramKind, s string) (paramValue, bool) {
	v := paramValue{s: s}
	var err error
	switch kind {
	case kindCount, kindInt:
		v.n, err = strconv.Atoi(s)
		if kind == kindCount && v.n < 0 {
			return v, false
		}
	case kindProtocol:
		v.n, err = strconv.Atoi(s)
		if v.n != 0 && v.n != 2 && v.n != 3 { // 0: the default, as in go-redis
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

// parseDuration reads a Go duration or a whole number of seconds. As in
// go-redis, zero or less means none: it returns 0, which every duration
// option reads as none (or, DialTimeout, as its default).
func parseDuration(s string) (time.Duration, error) {
	if n, err := strconv.Atoi(s); err == nil {
		switch {
		case n <= 0:
			return 0, nil
		case n > int(maxDuration/time.Second):
			return maxDuration, nil
		}
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	return max(d, 0), err
}

const maxDuration = time.Duration(1<<63 - 1)

// Bounds that backoffStrategy uses for one it is not given: those of
// DefaultRetryStrategy.
const (
	defaultMinBackoff = 0
	defaultMaxBackoff = 2 * time.Second
)

// backoffStrategy is the RetryStrategy of a URL with min_retry_backoff or
// max_retry_backoff: DefaultRetryStrategy's wait, raised to at least lo and
// cut to at most hi. A bound of 0 (go-redis's "no backoff") is
// DefaultRetryStrategy's: here the wait is between reconnect attempts, and
// no wait at all would spin against a server that is down.
func backoffStrategy(lo, hi time.Duration) func(attempt int) time.Duration {
	if lo <= 0 {
		lo = defaultMinBackoff
	}
	if hi <= 0 {
		hi = max(defaultMaxBackoff, lo)
	}
	lo = min(lo, hi)
	return func(attempt int) time.Duration {
		return min(max(DefaultRetryStrategy(attempt), lo), hi)
	}
}
