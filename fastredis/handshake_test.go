package fastredis

import (
	"strconv"
	"strings"
	"testing"

	"github.com/fastredis/fastredis/redistest"
)

// An ACL user that may not run INFO still connects: the ready check's
// refusal means "ready", as in ioredis. A user refused SELECT still fails,
// since its commands would run in the wrong database.
func TestHandshakeWithoutInfoPermission(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{Users: []redistest.User{
		{Name: "noinfo", Password: "noinfopw", Rules: "~* &* +@all -info"},
	}})
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			c, err := NewClient(Options{Addr: srv.Addr, Username: "noinfo", Password: "noinfopw", Protocol: proto})
			if err != nil {
				t.Fatalf("NewClient for a user without +info: %v", err)
			}
			defer c.Close()
			if _, err := c.Info(bg); err == nil || !strings.Contains(err.Error(), "NOPERM") {
				t.Fatalf("INFO as the user: %v, want NOPERM (the test's premise)", err)
			}
			if err := c.Set(bg, "noinfo:k", "v"); err != nil {
				t.Fatalf("SET after connecting: %v", err)
			}
		})
	}
}

// A password given for a server that has none: RESP2's AUTH is refused with
// "called without any password configured"; the client warns (EventWarning,
// without the password) and goes on, as ioredis does. RESP3's HELLO AUTH
// default is accepted by such a server anyway.
func TestHandshakePasswordWithoutServerPassword(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			events := newEventLog()
			c, err := NewClient(Options{Addr: srv.Addr, Password: "unneeded-secret", Protocol: proto, OnEvent: events.add})
			if err != nil {
				t.Fatalf("NewClient with a password the server does not need: %v", err)
			}
			defer c.Close()
			if err := c.Set(bg, "nopw:k", "v"); err != nil {
				t.Fatal(err)
			}
			warned := events.count(EventWarning)
			if proto == 2 && warned != 1 {
				t.Errorf("RESP2: %d warnings, want 1: %v", warned, events.snapshot())
			}
			for _, ev := range events.snapshot() {
				if ev.Err != nil && strings.Contains(ev.Err.Error(), "unneeded-secret") {
					t.Errorf("event %v shows the password", ev)
				}
			}
		})
	}
}

// Selecting the database the client is on changes nothing and emits
// nothing.
func TestSelectSameDB(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	events := newEventLog()
	c := newTestClient(t, Options{Addr: srv.Addr, OnEvent: events.add})
	if err := c.Select(bg, 0); err != nil {
		t.Fatal(err)
	}
	if n := events.count(EventSelect); n != 0 {
		t.Errorf("Select(0) on DB 0: %d EventSelect, want 0", n)
	}
	if err := c.Select(bg, 2); err != nil {
		t.Fatal(err)
	}
	if err := c.Select(bg, 2); err != nil {
		t.Fatal(err)
	}
	if n := events.count(EventSelect); n != 1 {
		t.Errorf("Select(2) twice: %d EventSelect, want 1", n)
	}
}
