package fastredis

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// ParseUniversalURL turns a URL into UniversalOptions, for
// NewUniversalClient. It accepts what ParseURL accepts, with go-redis's two
// parameters for the other kinds of client:
//
//	redis://[[username]:password@]host[:port][/db]?addr=host2:port2&addr=host3:port3
//	redis://[[username]:password@]sentinel[:port]?master_name=mymaster[&addr=sentinel2:port2...]
//
// addr, which may be repeated, adds an address (port 6379 when none is
// given) after the URL's host; master_name sets MasterName. The addresses
// are in Addrs and Options.Addr is empty. addr is for redis:// and
// rediss:// URLs only; with rediss://, TLSConfig.ServerName is the URL's
// host.
func ParseUniversalURL(rawURL string) (UniversalOptions, error) {
	var uo UniversalOptions
	rest, addrs, master, err := cutUniversalParams(rawURL)
	if err != nil {
		return uo, err
	}
	o, err := ParseURL(rest)
	if err != nil {
		return uo, err
	}
	fail := func(format string, args ...any) (UniversalOptions, error) {
		return UniversalOptions{}, universalURLError(format, args...)
	}
	if len(addrs) > 0 && o.Network != "tcp" {
		return fail("addr is for redis:// and rediss:// URLs")
	}
	uo.Addrs = []string{o.Addr}
	for _, a := range addrs {
		if strings.Contains(a, "@") { // quoting it could show a password
			return fail("an addr holds user information: credentials go before the first host only")
		}
		u, err := url.Parse("redis://" + a)
		if err != nil || u.Hostname() == "" || u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
			return fail("an addr is not host[:port]")
		}
		port := u.Port()
		if port == "" {
			port = "6379"
		}
		uo.Addrs = append(uo.Addrs, net.JoinHostPort(u.Hostname(), port))
	}
	o.Addr = ""
	uo.Options, uo.MasterName = o, master
	return uo, nil
}

// cutUniversalParams takes the addr and master_name parameters out of a
// URL's query, leaving the rest of the URL as it was written for ParseURL
// (whose errors quote it, without those two).
func cutUniversalParams(rawURL string) (rest string, addrs []string, master string, err error) {
	base, query, ok := strings.Cut(rawURL, "?")
	if !ok || strings.Contains(base, "#") { // no query: a '?' after '#' is the fragment's
		return rawURL, nil, "", nil
	}
	var kept []string
	for _, part := range strings.Split(query, "&") {
		name, value, _ := strings.Cut(part, "=")
		name, err1 := url.QueryUnescape(name)
		value, err2 := url.QueryUnescape(value)
		if err1 != nil || err2 != nil || (name != "addr" && name != "master_name") {
			kept = append(kept, part) // ParseURL judges it
			continue
		}
		if value == "" {
			return "", nil, "", universalURLError("%s is empty", name)
		}
		if name == "addr" {
			addrs = append(addrs, value)
			continue
		}
		if master != "" {
			return "", nil, "", universalURLError("parameter master_name given more than once")
		}
		master = value
	}
	if len(kept) == 0 {
		return base, addrs, master, nil
	}
	return base + "?" + strings.Join(kept, "&"), addrs, master, nil
}

// universalURLError is ParseUniversalURL's error. Like ParseURL's, it never
// quotes the URL or a parameter's value (either may hold a password).
func universalURLError(format string, args ...any) error {
	return urlError(fmt.Sprintf(format, args...))
}
