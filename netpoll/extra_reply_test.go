package netpoll

import (
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// A server that answers a command with its reply plus one nobody asked for
// (the failure behind go-redis's CVE-2025-29923): the extra reply must never
// reach a caller. Its first byte arrives with the legitimate reply, when no
// other reply is owed, so the connection must close with ErrUnexpectedReply
// however the extra reply is cut into reads and however quickly the woken
// caller sends its next command. Each case dials, makes one call that the
// server answers with the extra reply appended, then keeps calling until the
// connection fails; every reply is checked against its own command.
func TestExtraReplyNeverDelivered(t *testing.T) {
	big := strings.Repeat("x", 256<<10)
	cases := []struct {
		name   string
		rounds int
		// extra writes the extra reply after the legitimate one, which it
		// gets so that it can share a write with it.
		extra func(c *fakeConn, reply string) error
	}{
		{"same-write", 1000, func(c *fakeConn, reply string) error {
			return c.Send(reply + "+EXTRA\r\n")
		}},
		{"256KiB-same-write", 200, func(c *fakeConn, reply string) error {
			return c.Send(reply + "$" + strconv.Itoa(len(big)) + "\r\n" + big + "\r\n")
		}},
		{"split-across-writes", 200, func(c *fakeConn, reply string) error {
			if err := c.Send(reply + "+EXT"); err != nil {
				return err
			}
			select {
			case <-time.After(2 * time.Millisecond): // a gap, so the rest arrives in a later read
			case <-c.stop:
			}
			return c.Send("RA\r\n")
		}},
	}
	load := loadMachine(t)
	for _, tr := range transports {
		for _, tc := range cases {
			t.Run(tr.String()+"/"+tc.name, func(t *testing.T) {
				if testing.Short() {
					tc.rounds = 20
				}
				checkGoroutines(t)
				srv := startFakeServer(t, func(c *fakeConn) {
					for n := 0; ; n++ {
						args, err := c.ReadCommand()
						if err != nil {
							return
						}
						reply := "$" + strconv.Itoa(len(args[1])) + "\r\n" + args[1] + "\r\n"
						if n == 0 {
							err = tc.extra(c, reply)
						} else {
							err = c.Send(reply)
						}
						if err != nil {
							return
						}
					}
				})
				ctx := fakeCtx(t)
				var calls, answered, failed, mismatched int
				for round := range tc.rounds {
					c := fakeDial(t, srv, tr, Options{})
					for i := 0; ; i++ {
						want := strconv.Itoa(round) + "/" + strconv.Itoa(i)
						var h bytesHandler
						err := c.Do(ctx, &h, 1, encodeCmd("ECHO", want))
						calls++
						if err != nil {
							fakeWantErr(t, "Do", err, ErrConnLost, ErrUnexpectedReply)
							failed++
							break
						}
						answered++
						if string(h.got) != want {
							mismatched++
							t.Errorf("round %d call %d: got %.20q, want %q", round, i, h.got, want)
						}
						if i > 10 {
							t.Fatalf("round %d: the connection survived an extra reply", round)
						}
					}
					fakeClose(t, c)
				}
				t.Logf("%d calls: %d answered, %d failed, %d mismatched (machine load: %d goroutines)", calls, answered, failed, mismatched, load)
			})
		}
	}
}

// loadMachine keeps every processor busy with spinning goroutines for the
// rest of the test, so that a reader and the caller it wakes are preempted
// at unlucky moments. It returns how many it started.
func loadMachine(t *testing.T) int {
	n := runtime.GOMAXPROCS(0)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for x := 0; ; x++ {
				if x%1024 == 0 {
					select {
					case <-stop:
						return
					default:
					}
					runtime.Gosched()
				}
			}
		}()
	}
	t.Cleanup(func() { close(stop); wg.Wait() })
	return n
}
