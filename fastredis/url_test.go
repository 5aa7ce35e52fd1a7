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
		// go-redis's meanings: -1 is no retries and 0 the default; a
		// duration of 0 or less is none; an empty value is the default.
		{url: "redis://h?max_retries=-1", want: Options{Network: "tcp", Addr: "h:6379", MaxRetriesPerRequest: NoRetries}},
		{url: "redis://h?max_retries=0", want: Options{Network: "tcp", Addr: "h:6379"}},
		{url: "redis://h?max_retries=3", want: Options{Network: "tcp", Addr: "h:6379", MaxRetriesPerRequest: 3}},
		{url: "redis://h?read_timeout=-1&dial_timeout=0&socket_timeout=-2", want: Options{Network: "tcp", Addr: "h:6379"}},
		{url: "redis://h?db=&protocol=&read_timeout=&max_retries=&pool_fifo=", want: Options{Network: "tcp", Addr: "h:6379"}},
		{url: "redis://h?client_name=&protocol=0", want: Options{Network: "tcp", Addr: "h:6379"}},
		{url: "redis://h?read_timeout=1.5s", want: Options{Network: "tcp", Addr: "h:6379", ReadTimeout: 1500 * time.Millisecond}},
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
	{"redis://h?max_retries=-2", `parameter "max_retries"`},
	{"redis://h?protocol=4", `parameter "protocol"`},
	{"redis://h?pool_fifo=maybe", `parameter "pool_fifo"`},
	{"redis://h?max_retries=1&max_retries_per_request=2", "both max_retries and max_retries_per_request"},
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

// goRedisParams is every query parameter of go-redis's ParseURL (v9,
// setupConnParams), with a value it takes.
var goRedisParams = []struct{ name, value string }{
	{"db", "1"},
	{"protocol", "2"},
	{"client_name", "worker"},
	{"max_retries", "2"},
	{"min_retry_backoff", "8ms"},
	{"max_retry_backoff", "512ms"},
	{"dial_timeout", "3"},
	{"read_timeout", "6s"},
	{"write_timeout", "-1"},
	{"pool_fifo", "true"},
	{"pool_size", "4"},
	{"pool_timeout", "4s"},
	{"min_idle_conns", "1"},
	{"max_idle_conns", "2"},
	{"max_active_conns", "3"},
	{"max_concurrent_dials", "2"},
	{"conn_max_idle_time", "30m"},
	{"idle_timeout", "30m"},
	{"conn_max_lifetime", "1h"},
	{"max_conn_age", "1h"},
	{"conn_max_lifetime_jitter", "1m"},
	{"skip_verify", "true"},
}

// A URL that go-redis takes, fastredis takes; misspelled parameters are
// still refused.
func TestParseURLGoRedisParams(t *testing.T) {
	var all []string
	for _, p := range goRedisParams {
		all = append(all, p.name+"="+p.value)
		t.Run(p.name, func(t *testing.T) {
			if _, err := ParseURL("rediss://h?" + p.name + "=" + p.value); err != nil {
				t.Errorf("%s=%s: %v", p.name, p.value, err)
			}
			for _, bad := range []string{
				strings.ReplaceAll(p.name, "_", "-"),
				strings.ReplaceAll(p.name, "_", ""),
				strings.ToUpper(p.name),
				p.name + "s",
				p.name[:len(p.name)-1],
			} {
				if bad == p.name {
					continue
				}
				_, err := ParseURL("rediss://h?" + bad + "=" + p.value)
				if want := `unknown parameter "` + bad + `"`; err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("%s=%s: error %v, want %s", bad, p.value, err, want)
				}
			}
		})
	}
	raw := "rediss://u:pw@h:6380?" + strings.Join(all, "&")
	o, err := ParseURL(raw)
	if err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	if o.DB != 1 || o.Protocol != 2 || o.ClientName != "worker" || o.MaxRetriesPerRequest != 2 ||
		o.DialTimeout != 3*time.Second || o.ReadTimeout != 6*time.Second || o.PoolSize != 4 ||
		o.RetryStrategy == nil || !o.TLSConfig.InsecureSkipVerify {
		t.Errorf("%s: %+v", raw, o)
	}
}

// The parameters that mean nothing here leave the options as they are.
func TestParseURLIgnoredParams(t *testing.T) {
	want, err := ParseURL("redis://h")
	if err != nil {
		t.Fatal(err)
	}
	for name, p := range urlParams {
		if p.set != nil || name == "username" || name == "password" {
			continue
		}
		value := map[paramKind]string{kindBool: "true", kindInt: "-3", kindDuration: "1m"}[p.kind]
		got, err := ParseURL("redis://h?" + name + "=" + value)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s=%s: %+v, %v", name, value, got, err)
		}
	}
}

// min_retry_backoff and max_retry_backoff hold DefaultRetryStrategy's wait
// between them.
func TestParseURLRetryBackoff(t *testing.T) {
	cases := []struct {
		query  string
		lo, hi time.Duration
	}{
		{"min_retry_backoff=8ms&max_retry_backoff=512ms", 8 * time.Millisecond, 512 * time.Millisecond},
		{"min_retry_backoff=1s", time.Second, 2 * time.Second},
		{"min_retry_backoff=5s", 5 * time.Second, 5 * time.Second},
		{"max_retry_backoff=100ms", 0, 100 * time.Millisecond},
		{"min_retry_backoff=1s&max_retry_backoff=10ms", 10 * time.Millisecond, 10 * time.Millisecond},
		{"min_retry_backoff=-1&max_retry_backoff=-1", 0, 2 * time.Second}, // no backoff: the defaults
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			o, err := ParseURL("redis://h?" + tc.query)
			if err != nil {
				t.Fatal(err)
			}
			if o.RetryStrategy == nil {
				t.Fatal("no RetryStrategy")
			}
			var lo, hi time.Duration = 1<<63 - 1, 0
			for attempt := 1; attempt <= 100; attempt++ {
				d := o.RetryStrategy(attempt)
				lo, hi = min(lo, d), max(hi, d)
			}
			// The first attempt waits the least (50ms or lo), the 100th the
			// most (2s or hi).
			if lo < tc.lo || hi > tc.hi || lo > max(tc.lo, 55*time.Millisecond) || hi < min(tc.hi, 2*time.Second) {
				t.Errorf("waits from %v to %v, want within [%v, %v]", lo, hi, tc.lo, tc.hi)
			}
		})
	}
	if o, _ := ParseURL("redis://h?max_retries=3"); o.RetryStrategy != nil {
		t.Error("RetryStrategy set without a backoff parameter")
	}
}
