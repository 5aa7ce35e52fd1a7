package fastredis

import (
	"net/url"
	"strings"
	"sync"
	"testing"
)

// passwordShapes are the URLs FuzzParseURLPassword puts a password into,
// between pre and post: where a password belongs, where it does not, and
// alongside every kind of error.
var passwordShapes = []struct{ pre, post string }{
	{"redis://:", "@h"},
	{"redis://u:", "@h:6380/2?client_name=x"},
	{"rediss://u:", "@h?skip_verify=true"},
	{"unix://:", "@/tmp/r.sock?db=1"},
	{"unix://u:", "@"},
	{"redis://:", "@"},
	{"redis://h?password=", ""},
	{"redis://u@h/0?password=", "&db=1"},
	{"redis://h?username=u&password=", "&protocol=2"},
	{"redis://:", "@h:port"},
	{"redis://:", "@[::1"},
	{"redis://u:", "@h?foo=1"},
	{"redis://u:", "@h?db=x"},
	{"redis://:", "@h/%zz"},
	{"redis://:", "@h/abc"},
	{"redis://:", "@h/1?db=1&db=2"},
	{"redis://:", "@h?max_retries=1&max_retries_per_request=2"},
	{"redis://u:", "@h/0?password=x"},
	{"redis://", "@h"}, // a lone user part is a user name, but people put passwords there
	{"http://:", "@h"},
	{":", "@h"},
	{"redis:/:", "@h"},
}

// FuzzParseURLPassword puts a password, as it is or percent-encoded, into
// each of passwordShapes. ParseURL never panics; its errors never show the
// password (see passwordLeak); and a password that is encoded where a
// password goes comes back as it is.
func FuzzParseURLPassword(f *testing.F) {
	for _, pw := range []string{"s3cr3t", "s3cr3t#x", "12/3456789", "12?ab_cdefg=1", "ab&cdefgh", "pa%zzword",
		"pass@word", "pässwörd", "pa ss", "1+1", "12#abcdefg", ":port", "unknown parameter"} {
		for shape := range passwordShapes {
			for enc := range uint8(3) {
				f.Add(pw, uint8(shape), enc)
			}
		}
	}
	f.Fuzz(func(t *testing.T, pw string, shape, enc uint8) {
		if len(pw) > 256 {
			pw = pw[:256] // long ones parse alike, and passwordLeak takes time
		}
		s := passwordShapes[int(shape)%len(passwordShapes)]
		in := pw
		switch enc % 3 {
		case 1:
			in = url.QueryEscape(pw)
		case 2:
			in = url.PathEscape(pw)
		}
		raw := s.pre + in + s.post
		o, err := ParseURL(raw)
		if err != nil {
			if leak := passwordLeak(err.Error(), s.pre+s.post, pw, in); leak != "" {
				t.Fatalf("ParseURL(%q): error %q shows %q of the password %q", raw, err, leak, pw)
			}
		}
		// Encoded as it should be, the password comes back as it is.
		switch {
		case s.pre == "redis://:" && s.post == "@h":
			raw = "redis://" + url.UserPassword("", pw).String() + "@h"
		case s.pre == "redis://h?password=" && s.post == "":
			raw = "redis://h?" + url.Values{"password": {pw}}.Encode()
		default:
			return
		}
		if o, err = ParseURL(raw); err != nil || o.Password != pw {
			t.Fatalf("ParseURL(%q) = password %q, error %v; want %q", raw, o.Password, err, pw)
		}
	})
}

// passwordLeak returns a piece of the password that msg, an error of
// ParseURL for a URL made of outside with the password put in, shows: the
// whole password (of 3 bytes or more) or, for one of 6 bytes or more, any 4
// bytes or more of it, as given (pw) or as written in the URL (forms),
// decoded or not; in any case, ignoring what outside or ParseURL's own
// words (urlVocabulary) also hold. It returns "" when msg shows nothing.
func passwordLeak(msg, outside, pw string, forms ...string) string {
	msg = strings.ToLower(msg)
	known := strings.ToLower(outside) + "\x00" + urlVocabulary()
	cands := []string{pw}
	for _, f := range append(forms, pw) {
		cands = append(cands, f)
		if d, err := url.PathUnescape(f); err == nil {
			cands = append(cands, d)
		}
		if d, err := url.QueryUnescape(f); err == nil {
			cands = append(cands, d)
		}
	}
	shown := func(s string) bool { return strings.Contains(msg, s) && !strings.Contains(known, s) }
	for _, c := range cands {
		c = strings.ToLower(c)
		if len(c) >= 3 && shown(c) {
			return c
		}
		if len(c) < 6 {
			continue
		}
		for i := 0; i+4 <= len(c); i++ {
			// c[i:j] shown means all of c[i:j-1] is in msg: stop at the
			// first piece msg does not have.
			for j := i + 4; j <= len(c) && strings.Contains(msg, c[i:j]); j++ {
				if !strings.Contains(known, c[i:j]) {
					return c[i:j]
				}
			}
		}
	}
	return ""
}

// urlVocabulary returns, lower-cased, the messages of ParseURL's errors for
// urlErrorCases: the words it writes of its own.
var urlVocabulary = sync.OnceValue(func() string {
	var b strings.Builder
	for _, tc := range urlErrorCases {
		if _, err := ParseURL(tc.url); err != nil {
			b.WriteString(strings.ToLower(err.Error()))
			b.WriteByte(0)
		}
	}
	return b.String()
})
