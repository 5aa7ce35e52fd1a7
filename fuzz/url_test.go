package fuzz

import (
	"net/url"
	"strings"
	"testing"

	"github.com/fastredis/fastredis/fastredis"
)

// FuzzParseURL: ParseURL never panics; its errors never show the password
// (taken as whatever sits between "://" and the last "@" of the authority,
// which is at least as much as the real password); and whatever it accepts,
// it accepts as consistent options (a network the client knows, a
// non-negative database).
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"redis://localhost:6379/0",
		"redis://:secretpw@h:1/2?protocol=2",
		"redis://user:pa:ss@[::1]:7000?client_name=x&dial_timeout=3s",
		"rediss://u:p@h?skip_verify=true",
		"unix://:pw@/tmp/redis.sock?db=3",
		"REDIS://H",
		"redis://u:top%40secret@h:port",
		"redis://u:topsecret@[::1",
		"redis://h?db=1&db=2",
		"redis://h/%zz",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		o, err := fastredis.ParseURL(raw)
		if err != nil {
			pw := passwordPart(raw)
			// Only a password that occurs nowhere else in the URL (in any
			// case: the error may lower-case the scheme) can be told apart.
			elsewhere := strings.Replace(strings.ToLower(raw), strings.ToLower(pw), "", 1)
			if len(pw) >= 4 && !strings.Contains(elsewhere, strings.ToLower(pw)) &&
				strings.Contains(strings.ToLower(err.Error()), strings.ToLower(pw)) {
				t.Fatalf("error %q shows the password part %q", err, pw)
			}
			return
		}
		switch o.Network {
		case "tcp", "unix":
		default:
			t.Fatalf("accepted %q with network %q", raw, o.Network)
		}
		if o.DB < 0 || o.Addr == "" {
			t.Fatalf("accepted %q as %+v", raw, o)
		}
	})
}

// passwordPart returns the text that could be a password in a URL: after
// the scheme's "://" and the first ':' of the user information, up to the
// last '@' of the authority; also decoded, as errors might show either.
func passwordPart(raw string) string {
	_, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return ""
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	at := strings.LastIndexByte(rest, '@')
	if at < 0 {
		return ""
	}
	userinfo := rest[:at]
	if _, pw, ok := strings.Cut(userinfo, ":"); ok {
		userinfo = pw
	}
	if dec, err := url.PathUnescape(userinfo); err == nil && len(dec) < len(userinfo) {
		return dec
	}
	return userinfo
}
