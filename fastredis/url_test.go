package fastredis

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseURL(t *testing.T) {
	cases := []struct {
		url  string
		want Options
		tls  bool
	}{
		{url: "redis://localhost:6379", want: Options{Network: "tcp", Addr: "localhost:6379"}},
		{url: "redis://", want: Options{Network: "tcp", Addr: "localhost:6379"}},
		{url: "REDIS://Example.com", want: Options{Network: "tcp", Addr: "Example.com:6379"}},
		{url: "redis://h:7000/3", want: Options{Network: "tcp", Addr: "h:7000", DB: 3}},
		{url: "redis://h/?db=4", want: Options{Network: "tcp", Addr: "h:6379", DB: 4}},
		{url: "redis://[::1]:6380/1", want: Options{Network: "tcp", Addr: "[::1]:6380", DB: 1}},
		{url: "redis://[fe80::1%25eth0]:6380", want: Options{Network: "tcp", Addr: "[fe80::1%eth0]:6380"}},
		{url: "redis://:secret@h", want: Options{Network: "tcp", Addr: "h:6379", Password: "secret"}},
		{url: "redis://alice@h", want: Options{Network: "tcp", Addr: "h:6379", Username: "alice"}},
		{url: "redis://alice@h/1", want: Options{Network: "tcp", Addr: "h:6379", Username: "alice", DB: 1}},
		{url: "unix://alice@/tmp/r.sock", want: Options{Network: "unix", Addr: "/tmp/r.sock", Username: "alice"}},
		{url: "redis://alice:pa:ss@h", want: Options{Network: "tcp", Addr: "h:6379", Username: "alice", Password: "pa:ss"}},
		{url: "redis://al%40ce:p%2Fw%40rd@h", want: Options{Network: "tcp", Addr: "h:6379", Username: "al@ce", Password: "p/w@rd"}},
		{url: "redis://alice:@h", want: Options{Network: "tcp", Addr: "h:6379", Username: "alice"}},
		{url: "rediss://h:6390", want: Options{Network: "tcp", Addr: "h:6390"}, tls: true},
		{url: "rediss://h?skip_verify=true", want: Options{Network: "tcp", Addr: "h:6379"}, tls: true},
		{url: "unix:///tmp/redis.sock", want: Options{Network: "unix", Addr: "/tmp/redis.sock"}},
		{url: "unix://:pw@/tmp/r.sock?db=2", want: Options{Network: "unix", Addr: "/tmp/r.sock", Password: "pw", DB: 2}},
		{
			url: "redis://h?protocol=2&client_name=worker-1&dial_timeout=3&read_timeout=250ms&pool_size=4&key_prefix=app:&max_pending=100",
			want: Options{Network: "tcp", Addr: "h:6379", Protocol: 2, ClientName: "worker-1", DialTimeout: 3 * time.Second,
				ReadTimeout: 250 * time.Millisecond, PoolSize: 4, KeyPrefix: "app:", MaxPending: 100},
		},
		{
			url: "redis://h?socket_timeout=2s&blocking_timeout=30&max_retries_per_request=none&max_dedicated_conns=3&lazy_connect=true&disable_offline_queue=1&disable_resend=true",
			want: Options{Network: "tcp", Addr: "h:6379", SocketTimeout: 2 * time.Second, BlockingTimeout: 30 * time.Second,
				MaxRetriesPerRequest: NoRetries, MaxDedicatedConns: 3, LazyConnect: true, DisableOfflineQueue: true, DisableResend: true},
		},
		{url: "redis://h?max_retries_per_request=unlimited", want: Options{Network: "tcp", Addr: "h:6379", MaxRetriesPerRequest: UnlimitedRetries}},
		{url: "redis://h?max_retries_per_request=5", want: Options{Network: "tcp", Addr: "h:6379", MaxRetriesPerRequest: 5}},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			got, err := ParseURL(tc.url)
			if err != nil {
				t.Fatalf("ParseURL: %v", err)
			}
			if (got.TLSConfig != nil) != tc.tls {
				t.Fatalf("TLSConfig = %v, want TLS %v", got.TLSConfig, tc.tls)
			}
			got.TLSConfig = nil
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestParseURLErrors(t *testing.T) {
	for _, tc := range urlErrorCases {
		t.Run(tc.url, func(t *testing.T) {
			_, err := ParseURL(tc.url)
			if err == nil {
				t.Fatal("want an error")
			}
			if !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("error %q does not mention %q", err, tc.mention)
			}
			if strings.Contains(err.Error(), "topsecret") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

// urlErrorCases reach every error of ParseURL. Besides TestParseURLErrors,
// the leak checks (passwordLeak) use their messages as the text ParseURL
// may write of its own.
var urlErrorCases = []struct{ url, mention string }{
	{"http://h", `unknown scheme "http"`},
	{"localhost:6379", "unknown scheme"},
	{"redis://h/abc", `database "abc"`},
	{"redis://h/-1", "database"},
	{"redis://h/1/2", "database"},
	{"redis://h?db=x", `parameter "db": not a valid value`},
	{"redis://h?db=-1", `parameter "db"`},
	{"redis://h?foo=1", `unknown parameter "foo"`},
	{"redis://h?db=1&db=2", `parameter "db" given 2 times`},
	{"redis://h?dial_timeout=soon", `parameter "dial_timeout"`},
	{"redis://h?lazy_connect=maybe", `parameter "lazy_connect"`},
	{"redis://h?max_retries_per_request=lots", `parameter "max_retries_per_request"`},
	{"redis://h?protocol=4", `parameter "protocol"`},
	{"redis://h?skip_verify=true", "only for rediss"},
	{"redis://h?a=%zz", "malformed query"},
	{"redis://h?a=1;b=2", "malformed query"},
	{"redis://h#x", "'#'"},
	{"unix://", "no socket path"},
	{"redis://u:topsecret@h:port", "invalid port"},
	{"redis://u:topsecret@h?foo=1", "unknown parameter"},
	{"redis://u:topsecret@[::1", "IPv6"},
	{"redis://u:topsecret@h/%zz", "invalid percent-encoding"},
	{"redis://:topsecret@h/%", "invalid percent-encoding"},
	{"redis://u:top secret@h", "user name or password"},
	{"redis://h\x01", "control character"},
	{"redis://h%41", "invalid percent-encoding"},
	{"://h", "no scheme"},
	{"redis://u:topsecret@h?password=x", "a password both before the host and as the password parameter"},
	{"redis://u@h?username=v", "a user name both"},
	{"redis://h?password=topsecret&foo=1", "unknown parameter (not shown: the URL has a password parameter)"},
	{"redis://:12/topsecret@h", "database (not shown: the URL has an '@' past its host"},
}

// Whatever the URL, ParseURL's errors show no part of the password: not
// through url.Parse's messages, which quote the port (the tail of a password
// holding a '/', '?' or '#') or a bad escape, nor through the path or
// parameter names url.Parse makes of a password that is not encoded, nor
// through values.
func TestParseURLNeverShowsPassword(t *testing.T) {
	cases := []struct{ pre, pw, post string }{
		{"redis://u:", "s3cr3t#x", "@h"},
		{"redis://u:", "s3cr3t/x", "@h"},
		{"redis://u:", "s3cr3t?x", "@h"},
		{"redis://:", "12/3456789", "@h"},      // the tail becomes the path: db "3456789@h"
		{"redis://:", "12?ab_cdefg=1", "@h"},   // the tail becomes a parameter
		{"redis://:", "12?db=pass", "@h"},      // a parameter value
		{"redis://:", "12#abcdefg", "@h"},      // the tail becomes a fragment
		{"unix://:", "pa/ssword", "@/tmp/s"},   // the tail becomes the path
		{"redis://:", "pa%zzword", "@h"},       // a bad escape
		{"redis://:", "pa ss word", "@h"},      // a space
		{"redis://:", "pässwörd", "@h"},        // not ASCII
		{"redis://:", "pass@word", "@h:port"},  // an '@', and another error
		{"redis://:", "s3cr3t", "@h:port"},     // url.Parse quoted ":port" only, but still
		{"redis://", "s3cr3t", "@h?foo=1"},     // a lone user part
		{"redis://h?password=", "1+1", "&foo"}, // the example, then an error
		{"redis://h?password=", "s3cr3t", "&db=x"},
		{"redis://h?password=", "ab&cdefgh", ""}, // the tail becomes a parameter
		{"redis://h?password=", "ab&cdefgh=1", ""},
		{"redis://h?password=", "ab%zzcdefgh", ""},
		{"redis://h?password=", "ab;cdefgh", ""},
		{"redis://u:p@h?password=", "s3cr3t", ""}, // given twice
		{"redis://h?db=", "s3cr3t", ""},           // a password where it does not belong
		{"redis://h?client_name=", "s3cr3t", "&db=x"},
		{"s3cr3t:", "pass", "@h"}, // no scheme
		{"redis:/:", "s3cr3t", "@h/x"},
		{"http://:", "s3cr3t", "@h"},
	}
	for _, tc := range cases {
		raw := tc.pre + tc.pw + tc.post
		t.Run(raw, func(t *testing.T) {
			_, err := ParseURL(raw)
			if err == nil {
				t.Fatal("want an error")
			}
			if leak := passwordLeak(err.Error(), tc.pre+tc.post, tc.pw); leak != "" {
				t.Errorf("error %q shows %q of the password %q", err, leak, tc.pw)
			}
		})
	}
}

func TestParseURLCredentials(t *testing.T) {
	cases := []struct{ url, user, password string }{
		{"redis://h?password=1%2B1", "", "1+1"},
		{"redis://h?password=s%26cret%23&username=alice", "alice", "s&cret#"},
		{"redis://alice@h?password=pw", "alice", "pw"},
		{"redis://:pw@h?username=alice", "alice", "pw"},
		{"redis://h?password=", "", ""},
		{"unix:///tmp/s?password=pw", "", "pw"},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			o, err := ParseURL(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			if o.Username != tc.user || o.Password != tc.password {
				t.Errorf("user %q password %q, want %q %q", o.Username, o.Password, tc.user, tc.password)
			}
		})
	}
}

func TestOptionsValidate(t *testing.T) {
	bad := []Options{
		{Protocol: 4},
		{DB: -1},
		{DialTimeout: -time.Second},
		{PoolSize: -2},
		{Network: "udp"},
		{ClientName: "has space"},
	}
	for _, o := range bad {
		if err := o.validate(); err == nil {
			t.Errorf("%+v: want an error", o)
		}
	}
	o := Options{Password: "topsecret", DB: -1}
	if err := o.validate(); err == nil || strings.Contains(err.Error(), "topsecret") {
		t.Errorf("error %v: want one without the password", err)
	}
	o = Options{Addr: "/var/run/redis.sock"}
	if err := o.validate(); err != nil || o.Network != "unix" || o.Protocol != 3 || o.PoolSize != 1 {
		t.Errorf("defaults: %+v %v", o, err)
	}
}
