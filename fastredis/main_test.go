package fastredis_test

import (
	"os"
	"testing"

	"github.com/fastredis/fastredis/redistest"
)

// redisAddr is the address of the redis-server the examples talk to: one
// started by TestMain for this package's tests. Each example uses keys of
// its own and sets what it reads, so the examples can run in any order and
// more than once (-count).
var redisAddr string

func TestMain(m *testing.M) {
	os.Exit(redistest.RunMain(m, redistest.Options{}, func(s *redistest.Server) { redisAddr = s.Addr }))
}
