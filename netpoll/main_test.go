package netpoll_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/fastredis/fastredis/redistest"
)

// redisAddr is the address of the redis-server the examples talk to: one
// started for this package's tests by TestMain.
var redisAddr string

func TestMain(m *testing.M) {
	srv, err := redistest.New(redistest.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	redisAddr = srv.Addr
	code := m.Run()
	srv.Close()
	os.Exit(code)
}
