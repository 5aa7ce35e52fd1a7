package fastredis

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
)

// TestCmdableIsEveryCommandMethod checks that Cmdable has exactly the
// generated command methods (commandMethods), each with the signature of
// Client's.
func TestCmdableIsEveryCommandMethod(t *testing.T) {
	iface := reflect.TypeFor[Cmdable]()
	client := reflect.TypeFor[*Client]()
	generated := map[string]bool{}
	for _, row := range commandMethods {
		generated[row.Method] = true
		im, ok := iface.MethodByName(row.Method)
		if !ok {
			t.Errorf("Cmdable lacks %s (%s)", row.Method, row.Command)
			continue
		}
		cm, ok := client.MethodByName(row.Method)
		if !ok {
			t.Errorf("*Client lacks %s (%s)", row.Method, row.Command)
			continue
		}
		if got, want := im.Type.String(), methodType(cm).String(); got != want {
			t.Errorf("Cmdable.%s is %s, Client.%s is %s", row.Method, got, row.Method, want)
		}
	}
	for i := range iface.NumMethod() {
		if name := iface.Method(i).Name; !generated[name] {
			t.Errorf("Cmdable.%s is no generated command method", name)
		}
	}
	if len(generated) != iface.NumMethod() {
		t.Errorf("Cmdable has %d methods, commandMethods lists %d", iface.NumMethod(), len(generated))
	}
}

// methodType is the type of a method value: m.Type without the receiver.
func methodType(m reflect.Method) reflect.Type {
	in := make([]reflect.Type, m.Type.NumIn()-1)
	for i := range in {
		in[i] = m.Type.In(i + 1)
	}
	out := make([]reflect.Type, m.Type.NumOut())
	for i := range out {
		out[i] = m.Type.Out(i)
	}
	return reflect.FuncOf(in, out, m.Type.IsVariadic())
}

// notUniversal are the exported methods of *Client that UniversalClient
// leaves out, and why (see its documentation).
var notUniversal = map[string]string{
	"Options":   "the single-server Options",
	"DB":        "a cluster has database 0 only",
	"Select":    "a cluster has database 0 only",
	"Monitor":   "one server's commands",
	"NewPubSub": "no node to go to in a cluster before the first subscription",
	"Stats":     "a cluster client's Stats has the nodes' too (cluster.Stats)",
}

// TestUniversalClientMethods checks that every exported method of *Client
// is in UniversalClient or is left out on purpose, so that a new method
// gets a decision.
func TestUniversalClientMethods(t *testing.T) {
	iface := reflect.TypeFor[UniversalClient]()
	client := reflect.TypeFor[*Client]()
	for i := range client.NumMethod() {
		m := client.Method(i)
		_, in := iface.MethodByName(m.Name)
		_, out := notUniversal[m.Name]
		switch {
		case in && out:
			t.Errorf("%s is in UniversalClient and in notUniversal", m.Name)
		case !in && !out:
			t.Errorf("Client.%s is neither in UniversalClient nor in notUniversal: decide", m.Name)
		}
	}
	for name := range notUniversal {
		if _, ok := client.MethodByName(name); !ok {
			t.Errorf("notUniversal lists %s, which *Client does not have", name)
		}
	}
}

func TestNewUniversalClient(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	ctx := context.Background()
	for _, c := range []struct {
		name string
		opts UniversalOptions
		err  string // "" when it connects
		is   error  // an error it matches
	}{
		{name: "one address", opts: UniversalOptions{Addrs: []string{srv.Addr}}},
		{name: "Options.Addr", opts: UniversalOptions{Options: Options{Addr: srv.Addr}}},
		{name: "unix socket", opts: UniversalOptions{Addrs: []string{srv.Socket}}},
		{name: "options apply", opts: UniversalOptions{Addrs: []string{srv.Addr}, Options: Options{DB: 3, Protocol: 2, KeyPrefix: "u:"}}},
		{name: "several addresses", opts: UniversalOptions{Addrs: []string{srv.Addr, "127.0.0.1:7001"}},
			err: "2 addresses in UniversalOptions.Addrs ask for a cluster client", is: errors.ErrUnsupported},
		{name: "same address twice", opts: UniversalOptions{Addrs: []string{srv.Addr, srv.Addr}},
			err: "ask for a cluster client", is: errors.ErrUnsupported},
		{name: "master name", opts: UniversalOptions{Addrs: []string{srv.Addr}, MasterName: "mymaster"},
			err: `MasterName "mymaster" asks for a sentinel client`, is: errors.ErrUnsupported},
		{name: "master name without addresses", opts: UniversalOptions{MasterName: "mymaster"},
			err: "sentinel client", is: errors.ErrUnsupported},
		{name: "empty address", opts: UniversalOptions{Addrs: []string{srv.Addr, ""}}, err: "UniversalOptions.Addrs[1] is empty"},
		{name: "Addrs and Addr", opts: UniversalOptions{Addrs: []string{srv.Addr}, Options: Options{Addr: srv.Addr}},
			err: "both Addrs and Options.Addr"},
		{name: "invalid options", opts: UniversalOptions{Addrs: []string{srv.Addr}, Options: Options{Protocol: 4}}, err: "protocol 4"},
		{name: "unreachable", opts: UniversalOptions{Addrs: []string{"127.0.0.1:1"}, Options: Options{DialTimeout: time.Second}},
			err: "127.0.0.1:1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			u, err := NewUniversalClient(c.opts)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one containing %q", err, c.err)
				}
				if c.is != nil && !errors.Is(err, c.is) {
					t.Errorf("error %v does not match %v", err, c.is)
				}
				if u != nil {
					t.Errorf("client %#v with the error, want a nil UniversalClient", u)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer u.Close()
			client, ok := u.(*Client)
			if !ok {
				t.Fatalf("got a %T, want a *Client", u)
			}
			want := c.opts.Addr
			if len(c.opts.Addrs) > 0 {
				want = c.opts.Addrs[0]
			}
			if o := client.Options(); o.Addr != want || o.DB != c.opts.DB || o.KeyPrefix != c.opts.KeyPrefix {
				t.Errorf("options %+v, want Addr %s, DB %d, KeyPrefix %q", o, want, c.opts.DB, c.opts.KeyPrefix)
			}
			if err := u.Set(ctx, "universal", c.name); err != nil {
				t.Fatal(err)
			}
			if v, err := u.Get(ctx, "universal"); v != c.name || err != nil {
				t.Errorf("Get = %q, %v", v, err)
			}
		})
	}
}

func TestParseUniversalURL(t *testing.T) {
	for _, c := range []struct {
		url    string
		addrs  []string
		master string
		db     int
		err    string
	}{
		{url: "redis://localhost", addrs: []string{"localhost:6379"}},
		{url: "redis://:pw@a:7000/2?addr=b:7001&addr=c&dial_timeout=3", addrs: []string{"a:7000", "b:7001", "c:6379"}, db: 2},
		{url: "redis://[::1]:7000?addr=[::2]:7001&addr=[::3]", addrs: []string{"[::1]:7000", "[::2]:7001", "[::3]:6379"}},
		{url: "redis://s1:26379?master_name=mymaster&addr=s2:26379", addrs: []string{"s1:26379", "s2:26379"}, master: "mymaster"},
		{url: "redis://s1?master_name=my%20master", addrs: []string{"s1:6379"}, master: "my master"},
		{url: "rediss://a?addr=b", addrs: []string{"a:6379", "b:6379"}},
		{url: "unix:///tmp/redis.sock?master_name=m", addrs: []string{"/tmp/redis.sock"}, master: "m"},
		{url: "unix:///tmp/redis.sock?addr=b", err: "addr is for redis:// and rediss:// URLs"},
		{url: "redis://a?addr=", err: "addr is empty"},
		{url: "redis://a?addr=u:secret@b", err: "an addr holds user information"},
		{url: "redis://a?addr=b/1", err: "is not host[:port]"},
		{url: "redis://a?master_name=", err: "master_name is empty"},
		{url: "redis://a?master_name=x&master_name=y", err: "master_name given more than once"},
		{url: "redis://:secret@a?addr=b&colour=blue", err: `unknown parameter "colour"`},
		{url: "redis://:secret@a?master_name=x&master_name=y", err: "master_name given more than once"},
		{url: "http://a?addr=b", err: "unknown scheme"},
	} {
		uo, err := ParseUniversalURL(c.url)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want one containing %q", c.url, err, c.err)
			}
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("%s: error %v shows the password", c.url, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.url, err)
			continue
		}
		if !reflect.DeepEqual(uo.Addrs, c.addrs) || uo.MasterName != c.master || uo.DB != c.db || uo.Addr != "" {
			t.Errorf("%s: Addrs %q, MasterName %q, DB %d, Addr %q; want %q, %q, %d and no Addr",
				c.url, uo.Addrs, uo.MasterName, uo.DB, uo.Addr, c.addrs, c.master, c.db)
		}
	}
	uo, err := ParseUniversalURL("redis://:pw@a:7000/2?addr=b:7001&dial_timeout=3")
	if err != nil || uo.Password != "pw" || uo.DialTimeout != 3*time.Second {
		t.Errorf("options: Password %q, DialTimeout %v, err %v; want pw, 3s", uo.Password, uo.DialTimeout, err)
	}
}
