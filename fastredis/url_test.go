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
	cases := []struct{ url, mention string }{
		{"http://h", "unknown scheme"},
		{"redis://h/abc", "database"},
		{"redis://h/-1", "database"},
		{"redis://h?db=x", "db=x"},
		{"redis://h?foo=1", "unknown parameter"},
		{"redis://h?db=1&db=2", "2 times"},
		{"redis://h?dial_timeout=soon", "dial_timeout"},
		{"redis://h?lazy_connect=maybe", "lazy_connect"},
		{"redis://h?max_retries_per_request=lots", "max_retries_per_request"},
		{"redis://h?skip_verify=true", "only for rediss"},
		{"unix://", "no socket path"},
		{"redis://u:topsecret@h:port", "invalid port"},
		{"redis://u:topsecret@h?foo=1", "unknown parameter"},
		{"redis://u:topsecret@[::1", "missing ']'"},
		{"redis://u:topsecret@h/%zz", "invalid URL escape"},
		{"redis://:topsecret@h/%", "invalid URL"},
	}
	for _, tc := range cases {
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
