package redistest

import (
	"fmt"
	"os"
	"testing"
)

// RunMain is the whole of a TestMain that shares one server among a
// package's tests and examples: it starts a server with opts, hands it to
// use (to record its address, say), runs the tests and stops the server. It
// returns the exit code for os.Exit; if the server cannot start it prints
// why and returns 1 without running anything.
//
//	var redisAddr string
//
//	func TestMain(m *testing.M) {
//		os.Exit(redistest.RunMain(m, redistest.Options{}, func(s *redistest.Server) { redisAddr = s.Addr }))
//	}
func RunMain(m *testing.M, opts Options, use func(*Server)) int {
	srv, err := New(opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer srv.Close()
	if use != nil {
		use(srv)
	}
	return m.Run()
}
