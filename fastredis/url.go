package fastredis

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ParseURL turns a URL into Options. It accepts
//
//	redis://[[username]:password@]host[:port][/db][?param=value&...]
//	rediss://... (the same, with TLS)
//	unix://[[username]:password@]/path/to/socket[?db=N&...]
//
// with the query parameters go-redis users know: db, protocol, client_name,
// dial_timeout, read_timeout, pool_size, skip_verify (rediss only), and
// fastredis's own key_prefix and max_pending. Durations are Go durations
// ("500ms") or whole seconds ("3"). An unknown or repeated parameter is an
// error. Errors never contain the password.
func ParseURL(rawURL string) (Options, error) {
	var o Options
	u, err := url.Parse(rawURL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL, password included
		}
		return o, fmt.Errorf("fastredis: invalid URL %s: %w", redactURL(rawURL), err)
	}
	fail := func(format string, args ...any) (Options, error) {
		return Options{}, fmt.Errorf("fastredis: invalid URL %s: %s", redactURL(rawURL), fmt.Sprintf(format, args...))
	}
	if u.User != nil {
		// redis://alice@host is user alice with no password, as go-redis
		// and ioredis read it.
		o.Username = u.User.Username()
		o.Password, _ = u.User.Password()
	}
	switch u.Scheme {
	case "redis", "rediss":
		host, port := u.Hostname(), u.Port()
		if host == "" {
			host = "localhost"
		}
		if port == "" {
			port = "6379"
		}
		o.Network, o.Addr = "tcp", net.JoinHostPort(host, port)
		if u.Scheme == "rediss" {
			o.TLSConfig = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		}
		if p := strings.Trim(u.Path, "/"); p != "" {
			db, err := strconv.Atoi(p)
			if err != nil || db < 0 {
				return fail("database %q in the path is not a number", p)
			}
			o.DB = db
		}
	case "unix":
		if u.Path == "" {
			return fail("no socket path")
		}
		o.Network, o.Addr = "unix", u.Path
	default:
		return fail("unknown scheme %q (want redis, rediss or unix)", u.Scheme)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return fail("query: %v", err)
	}
	for name, values := range q {
		if len(values) != 1 {
			return fail("parameter %s given %d times", name, len(values))
		}
		if err := o.setParam(name, values[0]); err != nil {
			return fail("%s=%s: %v", name, values[0], err)
		}
	}
	return o, nil
}

func (o *Options) setParam(name, value string) error {
	var err error
	switch name {
	case "db":
		o.DB, err = strconv.Atoi(value)
	case "protocol":
		o.Protocol, err = strconv.Atoi(value)
	case "client_name":
		o.ClientName = value
	case "dial_timeout":
		o.DialTimeout, err = parseDuration(value)
	case "read_timeout":
		o.ReadTimeout, err = parseDuration(value)
	case "pool_size":
		o.PoolSize, err = strconv.Atoi(value)
	case "max_pending":
		o.MaxPending, err = strconv.Atoi(value)
	case "key_prefix":
		o.KeyPrefix = value
	case "socket_timeout":
		o.SocketTimeout, err = parseDuration(value)
	case "blocking_timeout":
		o.BlockingTimeout, err = parseDuration(value)
	case "max_retries_per_request":
		switch value {
		case "none":
			o.MaxRetriesPerRequest = NoRetries
		case "unlimited":
			o.MaxRetriesPerRequest = UnlimitedRetries
		default:
			o.MaxRetriesPerRequest, err = strconv.Atoi(value)
		}
	case "max_dedicated_conns":
		o.MaxDedicatedConns, err = strconv.Atoi(value)
	case "lazy_connect":
		o.LazyConnect, err = strconv.ParseBool(value)
	case "disable_offline_queue":
		o.DisableOfflineQueue, err = strconv.ParseBool(value)
	case "disable_resend":
		o.DisableResend, err = strconv.ParseBool(value)
	case "skip_verify":
		if o.TLSConfig == nil {
			return errors.New("only for rediss://")
		}
		o.TLSConfig.InsecureSkipVerify, err = strconv.ParseBool(value)
	default:
		return errors.New("unknown parameter")
	}
	if err != nil {
		return errors.New("not a valid value")
	}
	return nil
}

// parseDuration reads a Go duration or a whole number of seconds.
func parseDuration(s string) (time.Duration, error) {
	if n, err := strconv.Atoi(s); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	return time.ParseDuration(s)
}

// redactURL hides the password of a URL that url.Parse rejected: everything
// between the scheme and the last '@' of the authority is replaced.
func redactURL(s string) string {
	rest := s
	scheme := ""
	if i := strings.Index(s, "://"); i >= 0 {
		scheme, rest = s[:i+3], s[i+3:]
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		return scheme + "xxxxx" + rest[at:]
	}
	return s
}
