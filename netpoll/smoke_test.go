package netpoll

import (
	"context"
	"testing"

	"github.com/fastredis/fastredis/redistest"
)

func TestSmoke(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	for _, tr := range transports {
		t.Run(tr.String(), func(t *testing.T) {
			c := dialServer(t, srv, tr, Options{})
			var h bytesHandler
			if err := c.Do(context.Background(), &h, 1, encodeCmd("ECHO", "hello")); err != nil {
				t.Fatal(err)
			}
			if string(h.got) != "hello" {
				t.Fatalf("got %q", h.got)
			}
		})
	}
}
