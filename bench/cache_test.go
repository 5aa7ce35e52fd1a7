package bench

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/redistest"
	"github.com/redis/rueidis"
)

// BenchmarkCompareCacheHit compares a GET served from the client-side
// cache (RESP3 tracking; the key is never written during the run, so every
// read after the first is a hit): fastredis's CachedGetAppend into a reused
// buffer (Options.Cache, OPTIN) against rueidis's DoCache of a GET built
// per call, as its README shows, read with ToString (its cache on, OPTIN,
// the default). Serial and at parallelism 8.
func BenchmarkCompareCacheHit(b *testing.B) {
	srv := redistest.Start(b, redistest.Options{})
	ctx := context.Background()
	const key = benchKey
	value := strings.Repeat("v", 64)
	fr, err := fastredis.NewClient(fastredis.Options{Addr: srv.Addr, Cache: &fastredis.CacheOptions{}})
	if err != nil {
		b.Fatal(err)
	}
	defer fr.Close()
	ru, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{srv.Addr}})
	if err != nil {
		b.Fatal(err)
	}
	defer ru.Close()
	if err := fr.Set(ctx, key, value); err != nil {
		b.Fatal(err)
	}
	impls := []struct {
		name string
		get  func(buf []byte) ([]byte, int, error)
	}{
		{"fastredis", func(buf []byte) ([]byte, int, error) {
			buf, err := fr.CachedGetAppend(ctx, buf[:0], key, time.Minute)
			return buf, len(buf), err
		}},
		{"rueidis", func(buf []byte) ([]byte, int, error) {
			s, err := ru.DoCache(ctx, ru.B().Get().Key(key).Cache(), time.Minute).ToString()
			return buf, len(s), err
		}},
	}
	for _, par := range []int{0, 8} {
		parName := "serial"
		if par > 0 {
			parName = "8"
		}
		for _, impl := range impls {
			b.Run("CACHED-GET/size=64B/par="+parName+"/impl="+impl.name, func(b *testing.B) {
				if _, n, err := impl.get(nil); err != nil || n != len(value) { // the miss that fills the cache
					b.Fatal(n, err)
				}
				b.ReportAllocs()
				if par == 0 {
					buf := make([]byte, 0, 128)
					for b.Loop() {
						var n int
						if buf, n, err = impl.get(buf); err != nil || n != len(value) {
							b.Fatal(n, err)
						}
					}
					return
				}
				b.SetParallelism(par)
				b.RunParallel(func(pb *testing.PB) {
					buf := make([]byte, 0, 128)
					for pb.Next() {
						var n int
						var err error
						if buf, n, err = impl.get(buf); err != nil || n != len(value) {
							b.Error(n, err)
							return
						}
					}
				})
			})
		}
	}
}
