package netpoll

import (
	"context"
	"strconv"
	"testing"

	"github.com/fastredis/fastredis/redistest"
	"github.com/fastredis/fastredis/resp"
)

func appendPing(b []byte) []byte {
	b = resp.AppendArrayHeader(b, 1)
	return resp.AppendBulkString(b, "PING")
}

func BenchmarkConn(b *testing.B) {
	srv := redistest.Start(b, redistest.Options{})
	value := make([]byte, 64)
	for i := range value {
		value[i] = 'v'
	}
	ctx := context.Background()
	for _, tr := range transports {
		c := dialServer(b, srv, tr, Options{})
		var h bytesHandler
		if err := c.Do(ctx, &h, 1, encodeCmd("SET", "bench:key", string(value))); err != nil {
			b.Fatal(err)
		}
		workloads := []struct {
			name   string
			encode func([]byte) []byte
		}{
			{"PING", appendPing},
			{"ECHO", func(b []byte) []byte {
				b = resp.AppendArrayHeader(b, 2)
				b = resp.AppendBulkString(b, "ECHO")
				return resp.AppendBulk(b, value)
			}},
			{"GET", func(b []byte) []byte {
				b = resp.AppendArrayHeader(b, 2)
				b = resp.AppendBulkString(b, "GET")
				return resp.AppendBulkString(b, "bench:key")
			}},
		}
		for _, w := range workloads {
			b.Run("transport="+tr.String()+"/cmd="+w.name+"/serial", func(b *testing.B) {
				b.ReportAllocs()
				var h bytesHandler
				for b.Loop() {
					if err := c.Do(ctx, &h, 1, w.encode); err != nil {
						b.Fatal(err)
					}
				}
			})
			for _, p := range []int{1, 8, 64} {
				b.Run("transport="+tr.String()+"/cmd="+w.name+"/parallel="+strconv.Itoa(p), func(b *testing.B) {
					b.ReportAllocs()
					b.SetParallelism(p)
					b.RunParallel(func(pb *testing.PB) {
						h := &bytesHandler{got: make([]byte, 0, 128)}
						for pb.Next() {
							if err := c.Do(ctx, h, 1, w.encode); err != nil {
								b.Error(err)
								return
							}
						}
					})
				})
			}
		}
	}
}
