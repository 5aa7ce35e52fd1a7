package fuzz

import (
	"net/url"
	"strings"
	"testing"

	"github.com/fastredis/fastredis/fastredis"
)

// FuzzParseURL: ParseURL never panics; its errors never show the password
// (taken as whatever sits between "://" and the last "@" of the whole URL,
// which is at least as much as the real password, however malformed the
// URL: an unencoded '/', '?' or '#' in a password ends url.Parse's
// authority before its '@'; or the value of a password parameter); and
// whatever it accepts, it accepts as consistent options (a network the
// client knows, a non-negative database).
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
		"redis://u:s3cr3t#x@h",
		"redis://:12/3456789@h",
		"redis://:12?ab_cdefg=1@h",
		"redis://h?password=1%2B1&foo",
		"redis://h?password=s3cr3t#x",
		"redis://alice@h",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		o, err := fastredis.ParseURL(raw)
		if err != nil {
			msg := strings.ToLower(err.Error())
			for _, pw := range passwordParts(raw) {
				// Only a password that occurs nowhere else in the URL (in
				// any case: the error may lower-case the scheme) can be
				// told apart.
				pw = strings.ToLower(pw)
				elsewhere := strings.Replace(strings.ToLower(raw), pw, "", 1)
				if len(pw) >= 4 && !strings.Contains(elsewhere, pw) && strings.Contains(msg, pw) {
					t.Fatalf("error %q shows the password part %q", err, pw)
				}
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

// passwordParts returns the texts that could be a password in a URL, as
// written and decoded (errors might show either): what follows the
// scheme's "://" and the first ':' after it, up to the last '@' of the URL;
// and the values of password parameters.
func passwordParts(raw string) []string {
	var parts []string
	add := func(s string) {
		parts = append(parts, s)
		if dec, err := url.PathUnescape(s); err == nil && dec != s {
			parts = append(parts, dec)
		}
		if dec, err := url.QueryUnescape(s); err == nil && dec != s {
			parts = append(parts, dec)
		}
	}
	_, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return nil
	}
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		userinfo := rest[:at]
		if _, pw, ok := strings.Cut(userinfo, ":"); ok {
			userinfo = pw
		}
		add(userinfo)
	}
	for _, kv := range strings.Split(rest, "&") {
		if _, v, ok := strings.Cut(kv, "password="); ok {
			add(v)
		}
	}
	return parts
}
