// Package netpoll carries encoded Redis commands to a server and their
// replies back, many goroutines sharing one connection.
//
// A Conn is automatically pipelined: callers append their encoded commands to
// one pending buffer and take a place in a FIFO of outstanding requests; one
// write sends everything that has accumulated, and replies, parsed in place by
// resp.Reader, complete the requests in order. A Handler supplied with each
// request copies what it needs out of the reply while the bytes are still in
// the inbound buffer, so nothing on the way allocates.
//
// Two transports carry the bytes. The default for TCP and unix sockets is a
// shared gnet event loop (see SetEventLoops); a caller that finds the
// connection idle writes its batch straight to the socket, and the loop only
// takes over writing when the socket pushes back. The net.Conn transport, with
// one reader and one writer goroutine per connection, serves TLS and is
// available as a fallback by option. Both behave the same: bounded pending
// requests and bytes, context-aware waiting, and on any failure every
// outstanding request completes exactly once with an error wrapping the cause.
package netpoll
