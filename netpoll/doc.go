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
// Two transports carry the bytes. The default (TCP, unix sockets and TLS)
// is a net.Conn with one reader and one writer goroutine per connection: a
// caller that finds the connection idle writes its batch itself, and, when
// nothing is owed and no other caller is about, also reads its own reply
// (direct reads, direct.go), after a non-blocking probe that the idle
// socket holds nothing sent for nobody. The gnet transport (TransportGnet)
// runs on shared event loops (see SetEventLoops) and costs no goroutine per
// connection. Both behave the same: bounded pending requests and bytes,
// context-aware waiting, and on any failure every outstanding request
// completes exactly once with an error wrapping the cause.
package netpoll
