package fastredisotel_test

import (
	"context"
	"errors"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/fastredis/fastredis/fastredis"
	fastredisotel "github.com/fastredis/fastredis/otel"
)

// serverAttrs returns server.address and server.port of addr.
func serverAttrs(t testing.TB, addr string) (string, int64) {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := strconv.Atoi(port)
	return host, int64(p)
}

// Each command is a client span named after it, with the conventions'
// attributes; a server error fails it with error.type and the status code;
// a null reply does not.
func TestCommandSpans(t *testing.T) {
	sr, tp := newTracer(t)
	c := newClient(t, fastredis.Options{DB: 3})
	if err := fastredisotel.InstrumentTracing(c, fastredisotel.WithTracerProvider(tp)); err != nil {
		t.Fatal(err)
	}
	host, port := serverAttrs(t, redisAddr)
	c.Set(bg, "otel:str", "v")
	canceled, cancel := context.WithCancel(bg)
	cancel()
	expired, cancel2 := context.WithDeadline(bg, time.Now().Add(-time.Second))
	defer cancel2()

	tests := []struct {
		name    string
		run     func() error
		span    string
		errType string // "" for a span that did not fail
		status  string // db.response.status_code
	}{
		{"get", func() error { _, err := c.Get(bg, "otel:str"); return err }, "GET", "", ""},
		{"nil is not an error", func() error { _, err := c.Get(bg, "otel:missing"); return err }, "GET", "", ""},
		{"server error", func() error { _, err := c.LPush(bg, "otel:str", "x"); return err }, "LPUSH", "WRONGTYPE", "WRONGTYPE"},
		{"do", func() error { _, err := c.Do(bg, "set", "otel:do", 1); return err }, "SET", "", ""},
		{"do unknown", func() error { _, err := c.Do(bg, "nosuchcmd"); return err }, "NOSUCHCMD", "ERR", "ERR"},
		{"subcommand", func() error { _, err := c.ClientGetName(bg); return err }, "CLIENT GETNAME", "", ""},
		{"canceled", func() error { _, err := c.Get(canceled, "otel:str"); return err }, "GET", "canceled", ""},
		{"deadline", func() error { _, err := c.Get(expired, "otel:str"); return err }, "GET", "timeout", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sr.Reset()
			err := tt.run()
			s := spanNamed(t, sr, tt.span)
			if s.SpanKind() != trace.SpanKindClient {
				t.Errorf("kind %v, want client", s.SpanKind())
			}
			a := attrMap(s.Attributes())
			want := map[string]any{
				"db.system.name":    "redis",
				"db.operation.name": tt.span,
				"db.namespace":      "3",
				"server.address":    host,
				"server.port":       port,
			}
			for k, v := range want {
				if a[k] != v {
					t.Errorf("%s = %v, want %v (all: %v)", k, a[k], v, a)
				}
			}
			if _, ok := a["db.query.text"]; ok {
				t.Errorf("db.query.text is set without WithDBStatement: %v", a["db.query.text"])
			}
			if tt.errType == "" {
				if err != nil && !errors.Is(err, fastredis.Nil) {
					t.Fatalf("command failed: %v", err)
				}
				if s.Status().Code != codes.Unset || a["error.type"] != nil {
					t.Errorf("status %v, error.type %v: want no error", s.Status(), a["error.type"])
				}
				return
			}
			if err == nil {
				t.Fatal("command succeeded, want an error")
			}
			if s.Status().Code != codes.Error || s.Status().Description != err.Error() {
				t.Errorf("status %+v, want Error %q", s.Status(), err)
			}
			if a["error.type"] != tt.errType {
				t.Errorf("error.type %v, want %s", a["error.type"], tt.errType)
			}
			if tt.status != "" && a["db.response.status_code"] != tt.status {
				t.Errorf("db.response.status_code %v, want %s", a["db.response.status_code"], tt.status)
			}
			if ev := s.Events(); len(ev) != 1 || ev[0].Name != "exception" {
				t.Errorf("events %v, want one exception", ev)
			}
		})
	}
}

// A pipeline is one span, PIPELINE, and a transaction one, MULTI, with
// db.operation.batch.size from two commands on; their commands have no
// spans of their own.
func TestPipelineSpans(t *testing.T) {
	sr, tp := newTracer(t)
	c := newClient(t, fastredis.Options{})
	if err := fastredisotel.InstrumentTracing(c, fastredisotel.WithTracerProvider(tp), fastredisotel.WithDBStatement(true)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		tx    bool
		queue func(p *fastredis.Pipeline)
		span  string
		size  any // db.operation.batch.size, nil for none
		text  string
	}{
		{"pipeline", false, func(p *fastredis.Pipeline) {
			p.Set("otel:p1", "a")
			p.Get("otel:p1")
			p.Incr("otel:pn")
		}, "PIPELINE", int64(3), "SET otel:p1 a\nGET otel:p1\nINCR otel:pn"},
		{"one command", false, func(p *fastredis.Pipeline) { p.Get("otel:p1") }, "PIPELINE", nil, "GET otel:p1"},
		{"many commands", false, func(p *fastredis.Pipeline) {
			for range 70 {
				p.Get("otel:p1")
			}
		}, "PIPELINE", int64(70), strings.Repeat("GET otel:p1\n", 64) + "... (6 more commands)"},
		{"many arguments", false, func(p *fastredis.Pipeline) {
			p.MGet(slices.Repeat([]string{"k"}, 70)...)
		}, "PIPELINE", nil, "MGET" + strings.Repeat(" k", 63) + " ... (7 more)"},
		{"transaction", true, func(p *fastredis.Pipeline) {
			p.Set("otel:t1", "a")
			p.Get("otel:t1")
		}, "MULTI", int64(2), "SET otel:t1 a\nGET otel:t1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sr.Reset()
			p := c.Pipeline()
			if tt.tx {
				p = c.TxPipeline()
			}
			tt.queue(p)
			if err := p.Exec(bg); err != nil {
				t.Fatal(err)
			}
			spans := sr.Ended()
			if len(spans) != 1 {
				t.Fatalf("%d spans, want 1", len(spans))
			}
			s := spans[0]
			a := attrMap(s.Attributes())
			if s.Name() != tt.span || a["db.operation.name"] != tt.span || a["db.system.name"] != "redis" {
				t.Errorf("span %q, attributes %v; want %s", s.Name(), a, tt.span)
			}
			if a["db.operation.batch.size"] != tt.size {
				t.Errorf("db.operation.batch.size = %v, want %v", a["db.operation.batch.size"], tt.size)
			}
			if a["db.query.text"] != tt.text {
				t.Errorf("db.query.text = %q, want %q", a["db.query.text"], tt.text)
			}
		})
	}
}

// A command's span is a child of the span in its context.
func TestParentSpan(t *testing.T) {
	sr, tp := newTracer(t)
	c := newClient(t, fastredis.Options{})
	if err := fastredisotel.Instrument(c, fastredisotel.WithTracerProvider(tp)); err != nil {
		t.Fatal(err)
	}
	ctx, parent := tp.Tracer("test").Start(bg, "handler")
	c.Get(ctx, "otel:parent")
	c.Pipelined(ctx, func(p *fastredis.Pipeline) { p.Get("otel:parent") })
	parent.End()
	c.Ping(bg) // no parent: a root span

	spans := sr.Ended()
	if len(spans) != 4 {
		t.Fatalf("%d spans, want 4", len(spans))
	}
	for _, s := range spans[:2] {
		if s.Parent().SpanID() != parent.SpanContext().SpanID() || s.SpanContext().TraceID() != parent.SpanContext().TraceID() {
			t.Errorf("span %s: parent %v, want %v", s.Name(), s.Parent().SpanID(), parent.SpanContext().SpanID())
		}
	}
	if ping := spans[3]; ping.Name() != "PING" || ping.Parent().IsValid() {
		t.Errorf("span %s has parent %v, want a root span", ping.Name(), ping.Parent())
	}
}

// WithDBStatement adds the command text, never a password.
func TestDBStatementRedactsPasswords(t *testing.T) {
	const secret = "s3cr3t-pw"
	srv := startServer(t, secret)
	sr, tp := newTracer(t)
	c := newClient(t, fastredis.Options{Addr: srv, Password: secret})
	if err := fastredisotel.InstrumentTracing(c, fastredisotel.WithTracerProvider(tp), fastredisotel.WithDBStatement(true)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		run  func() error
		span string
		text string
	}{
		{"plain", func() error { return c.Set(bg, "otel:k", "hello world") }, "SET", `SET otel:k "hello world"`},
		{"config set requirepass", func() error {
			_, err := c.Do(bg, "CONFIG", "SET", "requirepass", secret)
			return err
		}, "CONFIG SET", "CONFIG SET requirepass ?"},
		{"config set masterauth and another", func() error {
			_, err := c.Do(bg, "config", "set", "masterauth", secret, "maxmemory-samples", "5")
			return err
		}, "CONFIG SET", "config set masterauth ? maxmemory-samples 5"},
		{"acl setuser", func() error {
			_, err := c.Do(bg, "ACL", "SETUSER", "otel-user", "on", ">"+secret, "~*", "+get")
			return err
		}, "ACL SETUSER", "ACL SETUSER otel-user on ? ~* +get"},
		{"migrate auth", func() error {
			_, err := c.Do(bg, "MIGRATE", "127.0.0.1", "1", "", "0", "100", "AUTH", secret, "KEYS", "otel:nokey")
			return err
		}, "MIGRATE", `MIGRATE 127.0.0.1 1 "" 0 100 AUTH ? KEYS otel:nokey`},
		{"migrate auth2", func() error {
			_, err := c.Do(bg, "MIGRATE", "127.0.0.1", "1", "", "0", "100", "AUTH2", "default", secret, "KEYS", "otel:nokey")
			return err
		}, "MIGRATE", `MIGRATE 127.0.0.1 1 "" 0 100 AUTH2 default ? KEYS otel:nokey`},
		{"auth on a transaction's connection", func() error {
			return c.Watch(bg, func(tx *fastredis.Tx) error {
				_, err := tx.Do(bg, "AUTH", "default", secret)
				return err
			}, "otel:k")
		}, "AUTH", "AUTH ? ?"},
		{"hello auth on a transaction's connection", func() error {
			return c.Watch(bg, func(tx *fastredis.Tx) error {
				_, err := tx.Do(bg, "HELLO", "3", "AUTH", "default", secret, "SETNAME", "otel")
				return err
			}, "otel:k")
		}, "HELLO", "HELLO 3 AUTH default ? SETNAME otel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sr.Reset()
			err := tt.run()
			s := spanNamed(t, sr, tt.span)
			a := attrMap(s.Attributes())
			if a["db.query.text"] != tt.text {
				t.Errorf("db.query.text = %q, want %q (command error: %v)", a["db.query.text"], tt.text, err)
			}
			for _, s := range sr.Ended() {
				assertNoSecret(t, s, secret)
			}
		})
	}
}

// assertNoSecret fails if secret appears in any of s's attributes, its
// status or its events.
func assertNoSecret(t *testing.T, s sdktrace.ReadOnlySpan, secret string) {
	t.Helper()
	check := func(where, v string) {
		if containsString(v, secret) {
			t.Errorf("span %s: the password is in %s: %q", s.Name(), where, v)
		}
	}
	for _, kv := range s.Attributes() {
		check(string(kv.Key), kv.Value.Emit())
	}
	check("status", s.Status().Description)
	for _, ev := range s.Events() {
		for _, kv := range ev.Attributes {
			check(ev.Name+" "+string(kv.Key), kv.Value.Emit())
		}
	}
}

// WithCommandFilter leaves commands out.
func TestCommandFilter(t *testing.T) {
	sr, tp := newTracer(t)
	r, mp := newMeter(t)
	c := newClient(t, fastredis.Options{})
	err := fastredisotel.Instrument(c, fastredisotel.WithTracerProvider(tp), fastredisotel.WithMeterProvider(mp),
		fastredisotel.WithCommandFilter(func(name string) bool { return name == "PING" }))
	if err != nil {
		t.Fatal(err)
	}
	c.Ping(bg)
	c.Get(bg, "otel:filter")
	if spans := sr.Ended(); len(spans) != 1 || spans[0].Name() != "GET" {
		t.Errorf("spans %v, want GET only", spans)
	}
	for _, dp := range durationPoints(t, collect(t, r)) {
		if op := attrMap(dp.Attributes.ToSlice())["db.operation.name"]; op == "PING" {
			t.Errorf("PING was measured")
		}
	}
}
