package redistest_test

import (
	"bufio"
	"net"
	"testing"

	"github.com/fastredis/fastredis/redistest"
)

// A test starts a server with the options it needs and talks to it at
// srv.Addr, srv.Socket or srv.URL(). The server is stopped and its files are
// removed when the test ends. (This example is compiled but not run: Start
// needs the *testing.T of a real test.)
func ExampleStart() {
	testPing := func(t *testing.T) {
		srv := redistest.Start(t, redistest.Options{Password: "s3cret"})

		conn, err := net.Dial("tcp", srv.Addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		// AUTH s3cret, then PING, in RESP.
		if _, err := conn.Write([]byte("*2\r\n$4\r\nAUTH\r\n$6\r\ns3cret\r\n*1\r\n$4\r\nPING\r\n")); err != nil {
			t.Fatal(err)
		}
		r := bufio.NewReader(conn)
		for _, want := range []string{"+OK\r\n", "+PONG\r\n"} {
			if line, err := r.ReadString('\n'); line != want {
				t.Fatalf("got %q (%v), want %q; server log:\n%s", line, err, want, srv.Log())
			}
		}
	}
	_ = testPing
}

// Crash tests kill the server and bring it back on the same address, with
// the same data directory.
func ExampleServer_Restart() {
	testCrash := func(t *testing.T) {
		srv := redistest.Start(t, redistest.Options{
			Config: []string{"appendonly yes", "appendfsync always"},
		})
		// ... write data through a client connected to srv.Addr ...
		srv.Kill()     // as a crash would: SIGKILL
		srv.Restart(t) // same port, socket and files; the AOF is loaded again
		// ... the client reconnects and finds its data ...
	}
	_ = testCrash
}
