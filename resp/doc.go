// Package resp reads and writes the Redis serialization protocol, RESP2 and RESP3.
//
// The reader parses in place: a Value is a view into the bytes it was parsed
// from, with typed accessors that copy nothing until asked to. Parsing is
// iterative (no recursion, so a hostile 100,000-deep nest fails cleanly on a
// depth limit instead of growing the stack) and resumable: when the input ends
// in the middle of a value, Reader.Parse reports ErrIncomplete, remembers how
// far it got and how many bytes it needs, and continues from there on the next
// call, so a large reply arriving in pieces is not re-parsed from the start.
//
// The writer is a set of append-style functions in the manner of strconv:
// AppendArrayHeader(dst, 2) followed by AppendBulkString(dst, "GET") and so on
// grow a caller-owned slice and allocate nothing once it has capacity.
//
// Neither side allocates in steady state; every benchmark in this package
// reports 0 allocs/op.
package resp
