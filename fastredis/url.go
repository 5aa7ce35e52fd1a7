package fastredis

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// ParseURL turns a URL into Options. It accepts
//
//	redis://[[username]:password@]host[:port][/db][?param=value&...]
//	rediss://... (the same, with TLS)
//	unix://[[username]:password@]/path/to/socket[?db=N&...]
//
// A user part without a colon (redis://alice@host) is a user name with no
// password. The query takes every parameter of go-redis's ParseURL, those
// that have no meaning for fastredis being accepted and ignored (the
// README lists them), fastredis's own (key_prefix, socket_timeout, ...), and
// username and password. Durations are Go durations ("500ms") or whole
// seconds ("3"). An empty value leaves the default, as in go-redis. An
// unknown or repeated parameter is an error.
//
// Errors never contain the password, nor any part of the URL that might
// hold some of it: a parameter's value is never shown, and when the URL has
// an '@' past its host (a password with an unencoded '/', '?' or '#') or a
// password parameter, neither are the parameter names nor the path.
func ParseURL(rawURL string) (Options, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Parse's errors quote the URL or pieces of it: say what is
		// wrong in words of our own.
		return Options{}, urlError(parseProblem(err, strings.Contains(rawURL, "@")))
	}
	p := urlParser{show: !mayHidePassword(rawURL)}
	if strings.Contains(rawURL, "#") {
		return Options{}, p.errorf("a '#' outside a percent-encoding (a password holding '#' must write it %23)")
	}
	var o Options
	if u.User != nil {
		// redis://alice@host is user alice with no password, as go-redis
		// and ioredis read it.
		o.Username = u.User.Username()
		o.Password, p.userinfoPassword = u.User.Password()
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
		if path := strings.Trim(u.Path, "/"); path != "" {
			db, err := strconv.Atoi(path)
			if err != nil || db < 0 {
				return Options{}, p.errorf("database %s in the path is not a number", path)
			}
			o.DB = db
		}
	case "unix":
		if u.Path == "" {
			return Options{}, p.errorf("no socket path")
		}
		o.Network, o.Addr = "unix", u.Path
	default:
		return Options{}, p.errorf("unknown scheme %s (want redis, rediss or unix)", u.Scheme)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return Options{}, p.errorf("malformed query (a '%' not followed by two hex digits, or a ';')")
	}
	if q.Has("password") {
		// A password holding an unencoded '&' spills into what look like
		// more parameters: their names may be pieces of it.
		p.show, p.hint = false, "the URL has a password parameter"
	}
	if err := p.setParams(&o, q); err != nil {
		return Options{}, err
	}
	return o, nil
}

// mayHidePassword reports whether rawURL may hold a password outside the
// user information that url.Parse finds: when it has an '@' past the end
// of its authority (the first '/', '?' or '#' after "://"), the user most
// likely meant everything up to that '@' as user information, and the path
// or query url.Parse sees is made of pieces of a password. Without "://",
// any '@' makes it so.
func mayHidePassword(rawURL string) bool {
	_, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return strings.Contains(rawURL, "@")
	}
	end := strings.IndexAny(rest, "/?#")
	return end >= 0 && strings.Contains(rest[end:], "@")
}

// urlParser carries what ParseURL's errors may show.
type urlParser struct {
	// show says whether errors may quote parts of the URL (parameter
	// names, the path, the scheme); hint, when they may not, says why.
	show bool
	hint string
	// userinfoPassword is set when the user information has a password.
	userinfoPassword bool
}

// errorf returns ParseURL's error: format has at most one %s, for the part
// of the URL the error is about, quoted when p.show allows and withheld
// otherwise. Nothing else from the URL may go into format.
func (p *urlParser) errorf(format string, part ...string) error {
	if len(part) == 0 {
		return urlError(format)
	}
	if p.show {
		return urlError(fmt.Sprintf(format, strconv.Quote(part[0])))
	}
	hint := p.hint
	if hint == "" {
		hint = "the URL has an '@' past its host, so a password in it may hold an unencoded '/', '?' or '#'"
	}
	return urlError(fmt.Sprintf(format, "(not shown: "+hint+")"))
}

func urlError(problem string) error {
	return errors.New("fastredis: invalid URL: " + problem)
}

// parseProblem describes an error of url.Parse without quoting any of it:
// its messages quote the URL (url.Error), the port (the tail of a password
// holding a '/'), an escape or a host character. With credentials in the
// URL (an '@'), the likely cause is a password that is not encoded: it says
// so.
func parseProblem(err error, credentials bool) string {
	encode := ""
	if credentials {
		encode = " (a password must percent-encode '/', '?', '#' and '%')"
	}
	var esc url.EscapeError
	var host url.InvalidHostError
	if errors.As(err, &esc) {
		return "invalid percent-encoding (a '%' not followed by two hex digits, or an encoded character where none may be)" + encode
	}
	if errors.As(err, &host) {
		return "invalid character in the host" + encode
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "invalid port"):
		return "invalid port after the host" + encode
	case strings.Contains(msg, "userinfo"):
		return "invalid character in the user name or password (percent-encode it)"
	case strings.Contains(msg, "control character"):
		return "a control character"
	case strings.Contains(msg, "missing protocol scheme"), strings.Contains(msg, "first path segment"):
		return "no scheme (want redis://, rediss:// or unix://)"
	case strings.Contains(msg, "]"), strings.Contains(msg, "IP-literal"):
		return "invalid IPv6 address in brackets"
	}
	return "malformed" + encode
}
