package netpoll

import (
	"bytes"
	"fmt"
	"net"
	"strconv"
	"testing"

	"github.com/fastredis/fastredis/resp"
)

// arrayHandler copies every element of an array reply.
type arrayHandler struct {
	elems [][]byte
	seen  int
}

func (h *arrayHandler) Reply(i int, v resp.Value) {
	h.seen++
	h.elems = h.elems[:0]
	for it := v.Iter(); it.Next(); {
		h.elems = append(h.elems, it.Value().AppendBytes(nil))
	}
}

// TestInboundAssembly sends replies that arrive in pieces of many sizes:
// an array of large values (each piece of it read into the inbound buffer
// in place, the buffer growing as the array goes on), a large value, then
// small replies. Every value must read back whole, and the inbound buffer,
// grown past minShrinkInbound, must be let go once large replies stop.
func TestInboundAssembly(t *testing.T) {
	const elems, elemSize, bigSize = 24, 150_000, 3 << 20
	values := make([][]byte, elems)
	for i := range values {
		values[i] = fakePattern(elemSize + i*1009)
		values[i][0] = byte(i) // no two alike
	}
	big := fakePattern(bigSize)
	var array bytes.Buffer
	fmt.Fprintf(&array, "*%d\r\n", elems)
	for _, v := range values {
		fmt.Fprintf(&array, "$%d\r\n%s\r\n", len(v), v)
	}
	bulk := "$" + strconv.Itoa(len(big)) + "\r\n" + string(big) + "\r\n"
	for _, tr := range transports {
		for _, piece := range []int{1000, 4097, 65536, 1 << 20} {
			t.Run(fmt.Sprintf("%v/piece=%d", tr, piece), func(t *testing.T) {
				checkGoroutines(t)
				srv := startFakeServer(t, func(c *fakeConn) {
					c.Conn.(*net.TCPConn).SetNoDelay(true)
					for {
						args, err := c.ReadCommand()
						if err != nil {
							return
						}
						var out string
						switch args[0] {
						case "MGET":
							out = array.String()
						case "GET":
							out = bulk
						default:
							out = "+PONG\r\n"
						}
						for i := 0; i < len(out); i += piece {
							if c.Send(out[i:min(i+piece, len(out))]) != nil {
								return
							}
						}
					}
				})
				c := fakeDial(t, srv, tr, Options{})
				ctx := fakeCtx(t)
				for round := range 2 { // the second time into the buffer the first grew
					var ah arrayHandler
					if err := c.Do(ctx, &ah, 1, encodeCmd("MGET", "k")); err != nil {
						t.Fatalf("round %d: MGET: %v", round, err)
					}
					if ah.seen != 1 || len(ah.elems) != elems {
						t.Fatalf("round %d: MGET: %d replies, %d elements", round, ah.seen, len(ah.elems))
					}
					for i, e := range ah.elems {
						if !bytes.Equal(e, values[i]) {
							t.Fatalf("round %d: element %d: %d bytes (want %d), first difference at %d",
								round, i, len(e), len(values[i]), fakeFirstDiff(e, values[i]))
						}
					}
					h := &fakeBigHandler{}
					if err := c.Do(ctx, h, 1, encodeCmd("GET", "big")); err != nil {
						t.Fatalf("round %d: GET: %v", round, err)
					}
					if !bytes.Equal(h.buf, big) {
						t.Fatalf("round %d: GET: %d bytes (want %d), first difference at %d",
							round, len(h.buf), len(big), fakeFirstDiff(h.buf, big))
					}
				}
				// Small replies only from now on: the buffer a 3 MiB reply
				// grew goes once its peak has decayed (about 44 reads).
				for i := range 200 {
					var ph bytesHandler
					if err := c.Do(ctx, &ph, 1, encodeCmd("PING")); err != nil || string(ph.got) != "PONG" {
						t.Fatalf("PING %d: %q, %v", i, ph.got, err)
					}
				}
				if size := cap(c.in); size > minShrinkInbound {
					t.Errorf("after 200 small replies the inbound buffer still holds %d bytes", size)
				}
				// Now a large reply once: it leaves no large buffer behind
				// (the rounds above, which repeat, may keep theirs).
				h := &fakeBigHandler{}
				if err := c.Do(ctx, h, 1, encodeCmd("GET", "big")); err != nil || !bytes.Equal(h.buf, big) {
					t.Fatalf("GET once more: %d bytes, %v", len(h.buf), err)
				}
				if size := cap(c.in); size > minShrinkInbound {
					t.Errorf("after a one-off large reply the inbound buffer holds %d bytes", size)
				}
			})
		}
	}
}
