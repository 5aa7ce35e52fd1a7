package resp_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/fastredis/fastredis/resp"
)

// Parse reads one value at a time; a value cut short by the end of the input
// is resumed when more has arrived.
func ExampleReader_Parse() {
	stream := []byte("+OK\r\n*2\r\n$5\r\nhello\r\n:42\r\n")
	var r resp.Reader

	// The first 12 bytes hold "+OK" and the start of the array.
	buf := stream[:12]
	v, n, err := r.Parse(buf)
	fmt.Println(v.Type(), v.String(), n, err)
	_, _, err = r.Parse(buf[n:])
	fmt.Println(errors.Is(err, resp.ErrIncomplete))

	// The rest has arrived: parse the same bytes again, extended.
	buf = stream[n:]
	v, _, err = r.Parse(buf)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.Type(), v.Len())
	it := v.Iter()
	for it.Next() {
		e := it.Value()
		fmt.Println(e.Type(), e.String())
	}
	// Output:
	// simple string OK 5 <nil>
	// true
	// array 2
	// bulk string hello
	// integer 42
}

// Commands are written with the append functions into a caller-owned slice,
// which is reused from one command to the next.
func ExampleAppendArrayHeader() {
	var buf []byte
	buf = resp.AppendArrayHeader(buf, 3)
	buf = resp.AppendBulkString(buf, "SET")
	buf = resp.AppendBulkString(buf, "greeting")
	buf = resp.AppendBulkInt(buf, 42)
	fmt.Printf("%q\n", buf)
	// Output:
	// "*3\r\n$3\r\nSET\r\n$8\r\ngreeting\r\n$2\r\n42\r\n"
}

// A Value views the buffer it was parsed from; AppendValue copies it out,
// re-encoded, before the buffer is reused.
func ExampleAppendValue() {
	buf := []byte("%1\r\n+name\r\n$3\r\nAda\r\n")
	var r resp.Reader
	v, _, err := r.Parse(buf)
	if err != nil {
		log.Fatal(err)
	}
	kept := resp.AppendValue(nil, v)
	copy(buf, "XXXXXXXXXXXXXXXX") // the connection's buffer is overwritten

	v, _, err = r.Parse(kept)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q %v %d\n", kept, v.Type(), v.Len())
	// Output:
	// "%1\r\n+name\r\n$3\r\nAda\r\n" map 1
}
