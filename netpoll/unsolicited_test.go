package netpoll

import (
	"context"
	"testing"

	"github.com/fastredis/fastredis/redistest"
	"github.com/fastredis/fastredis/resp"
)

// Replies no request asked for: RESP2 subscriber mode through Intercept,
// RESP3 through Send and OnPush. A PING still finds its own reply.
func TestUnsolicitedReplies(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	ctx := context.Background()
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			// RESP2: SUBSCRIBE's confirmation and the messages are arrays.
			got := make(chan string, 8)
			c := dialServer(t, srv, tr, Options{Intercept: func(v resp.Value) bool {
				if v.Type() != resp.Array || v.Len() != 3 {
					return false
				}
				it := v.Iter()
				it.Next()
				kind := it.Value().String()
				if kind != "subscribe" && kind != "message" {
					return false
				}
				it.Next()
				it.Next()
				got <- kind + ":" + it.Value().String()
				return true
			}})
			if err := c.Send(ctx, encodeCmd("SUBSCRIBE", "ch")); err != nil {
				t.Fatal(err)
			}
			if g := <-got; g != "subscribe:1" {
				t.Fatalf("confirmation %q", g)
			}
			pub := dialServer(t, srv, tr, Options{})
			var h bytesHandler
			if err := pub.Do(ctx, &h, 1, encodeCmd("PUBLISH", "ch", "hello")); err != nil {
				t.Fatal(err)
			}
			if g := <-got; g != "message:hello" {
				t.Fatalf("message %q", g)
			}
			// In RESP2 subscriber mode PING answers ["pong", ""], not
			// intercepted here: it reaches the request.
			if err := c.Do(ctx, &h, 1, encodeCmd("PING")); err != nil || h.typ != resp.Array {
				t.Fatalf("PING: %v %v", err, h.typ)
			}

			// RESP3: pushes.
			pushes := make(chan string, 8)
			c3 := dialServer(t, srv, tr, Options{OnPush: func(v resp.Value) {
				it := v.Iter()
				it.Next()
				kind := it.Value().String()
				it.Next()
				it.Next()
				pushes <- kind + ":" + it.Value().String()
			}})
			if err := c3.Do(ctx, &h, 1, encodeCmd("HELLO", "3")); err != nil {
				t.Fatal(err)
			}
			if err := c3.Send(ctx, encodeCmd("SUBSCRIBE", "ch3")); err != nil {
				t.Fatal(err)
			}
			if g := <-pushes; g != "subscribe:1" {
				t.Fatalf("RESP3 confirmation %q", g)
			}
			if err := pub.Do(ctx, &h, 1, encodeCmd("PUBLISH", "ch3", "hi")); err != nil {
				t.Fatal(err)
			}
			if g := <-pushes; g != "message:hi" {
				t.Fatalf("RESP3 message %q", g)
			}
			if err := c3.Do(ctx, &h, 1, encodeCmd("PING")); err != nil || string(h.got) != "PONG" {
				t.Fatalf("RESP3 PING: %v %q", err, h.got)
			}
		})
	}
}
