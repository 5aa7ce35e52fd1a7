package fastredis_test

import (
	"context"
	"fmt"
	"log"
	"sync"
	"time"

	"github.com/fastredis/fastredis/fastredis"
)

// metricsHook times commands and pipelines. It keeps only numbers: the
// CommandInfo it is given is valid only during the call.
type metricsHook struct {
	mu        sync.Mutex
	calls     map[string]int
	total     time.Duration
	replySize int
}

func (h *metricsHook) DialHook(next fastredis.DialHookFunc) fastredis.DialHookFunc {
	return next // or time the dial: func(ctx, network, addr) error { ...; return next(ctx, network, addr) }
}

func (h *metricsHook) ProcessHook(next fastredis.ProcessHookFunc) fastredis.ProcessHookFunc {
	return func(ctx context.Context, cmd *fastredis.CommandInfo) error {
		start := time.Now()
		err := next(ctx, cmd)
		h.mu.Lock()
		h.calls[cmd.Name()]++ // a name from the command table: kept without copying
		h.total += time.Since(start)
		h.replySize += cmd.ReplySize()
		h.mu.Unlock()
		return err
	}
}

func (h *metricsHook) ProcessPipelineHook(next fastredis.ProcessPipelineHookFunc) fastredis.ProcessPipelineHookFunc {
	return func(ctx context.Context, p *fastredis.PipelineInfo) error {
		err := next(ctx, p)
		h.mu.Lock()
		h.calls[fmt.Sprintf("pipeline of %d", p.Len())]++
		h.mu.Unlock()
		return err
	}
}

func ExampleClient_AddHook() {
	client, err := fastredis.NewClient(fastredis.Options{Addr: redisAddr})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	h := &metricsHook{calls: map[string]int{}}
	client.AddHook(h)

	ctx := context.Background()
	client.Set(ctx, "example:hooked", "value")
	client.Get(ctx, "example:hooked")
	client.Do(ctx, "client", "setname", "hooked")
	p := client.Pipeline()
	p.Get("example:hooked")
	p.Incr("example:hooked:n")
	p.Exec(ctx)

	h.mu.Lock()
	defer h.mu.Unlock()
	fmt.Println(h.calls["SET"], h.calls["GET"], h.calls["CLIENT SETNAME"], h.calls["pipeline of 2"])
	fmt.Println("reply bytes:", h.replySize) // +OK, $5 value, +OK
	// Output:
	// 1 1 1 1
	// reply bytes: 21
}

func ExampleClient_Stats() {
	client, err := fastredis.NewClient(fastredis.Options{Addr: redisAddr, PoolSize: 2})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	client.Set(context.Background(), "example:stats", "value")

	st := client.Stats()
	fmt.Println("ready:", st.Ready, "reconnecting:", st.Reconnecting, "offline queue:", st.OfflineQueued)
	fmt.Println("bytes moved:", st.BytesRead > 0 && st.BytesWritten > 0)
	// Output:
	// ready: 2 reconnecting: 0 offline queue: 0
	// bytes moved: true
}
