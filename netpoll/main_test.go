package netpoll_test

import (
	"os"
	"testing"

	"github.com/fastredis/fastredis/redistest"
)

// redisAddr is the address of the redis-server the examples talk to: one
// started for this package's tests by TestMain.
var redisAddr string

func TestMain(m *testing.M) {
	os.Exit(redistest.RunMain(m, redistest.Options{}, func(s *redistest.Server) { redisAddr = s.Addr }))
}
