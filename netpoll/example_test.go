package netpoll_test

import (
	"context"
	"fmt"
	"log"

	"github.com/fastredis/fastredis/netpoll"
	"github.com/fastredis/fastredis/resp"
)

// stringsHandler keeps each reply as a string. Reply copies what it needs:
// the value views the connection's buffer only during the call.
type stringsHandler struct {
	replies []string
}

func (h *stringsHandler) Reply(i int, v resp.Value) {
	h.replies = append(h.replies, v.Type().String()+" "+v.String())
}

func ExampleDial() {
	ctx := context.Background()
	conn, err := netpoll.Dial(ctx, "tcp", redisAddr, netpoll.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()

	// One request of two commands: its replies arrive together, in order.
	h := &stringsHandler{}
	err = conn.Do(ctx, h, 2, func(dst []byte) []byte {
		dst = resp.AppendArrayHeader(dst, 3)
		dst = resp.AppendBulkString(dst, "SET")
		dst = resp.AppendBulkString(dst, "netpoll:greeting")
		dst = resp.AppendBulkString(dst, "hello")
		dst = resp.AppendArrayHeader(dst, 2)
		dst = resp.AppendBulkString(dst, "GET")
		return resp.AppendBulkString(dst, "netpoll:greeting")
	})
	if err != nil {
		log.Fatal(err) // the context ended, or the connection failed (ErrConnLost)
	}
	fmt.Println(h.replies)
	// Output:
	// [simple string OK bulk string hello]
}

// A Conn is shared: concurrent callers' commands are written together and
// their replies handed back in order.
func ExampleConn_Do() {
	ctx := context.Background()
	conn, err := netpoll.Dial(ctx, "tcp", redisAddr, netpoll.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()

	results := make([]*stringsHandler, 3)
	done := make(chan error)
	for i := range results {
		results[i] = &stringsHandler{}
		go func() {
			done <- conn.Do(ctx, results[i], 1, func(dst []byte) []byte {
				dst = resp.AppendArrayHeader(dst, 2)
				dst = resp.AppendBulkString(dst, "ECHO")
				return resp.AppendBulkInt(dst, int64(i))
			})
		}()
	}
	for range results {
		if err := <-done; err != nil {
			log.Fatal(err)
		}
	}
	for _, h := range results {
		fmt.Println(h.replies)
	}
	// Output:
	// [bulk string 0]
	// [bulk string 1]
	// [bulk string 2]
}
