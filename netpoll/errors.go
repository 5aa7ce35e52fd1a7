package netpoll

import "errors"

var (
	// ErrClosed is the cause when the connection was closed by Close.
	ErrClosed = errors.New("netpoll: connection closed")
	// ErrConnLost wraps every error a request gets because its connection
	// failed (EOF, reset, a protocol error, Close): errors.Is(err,
	// netpoll.ErrConnLost) tells a lost connection from a server's reply.
	ErrConnLost = errors.New("netpoll: connection lost")
	// ErrUnexpectedReply is the cause when the server sends a reply that no
	// request is waiting for.
	ErrUnexpectedReply = errors.New("netpoll: reply without a request")
	// ErrBadReply is matched, besides ErrConnLost and the
	// *resp.ProtocolError, by the error of the request whose own reply was
	// not valid RESP (or broke a reader limit). The connection is closed,
	// and the server may have run the command: unlike the other requests of
	// a lost connection, it must not be sent again.
	ErrBadReply = errors.New("netpoll: malformed reply")
	// ErrBadRequest means Do was called with a nil Handler, a reply count
	// below 1, or an encode function that wrote nothing.
	ErrBadRequest = errors.New("netpoll: invalid request")
	// ErrSocketTimeout is the cause when replies were owed and no byte
	// arrived for Options.SocketTimeout.
	ErrSocketTimeout = errors.New("netpoll: socket timeout: replies owed, nothing read")
	// ErrNilConn is matched by Dial's error when Options.Dialer returned
	// neither a connection nor an error.
	ErrNilConn = errors.New("the Dialer returned a nil net.Conn and a nil error")
)

// lostError is the error every outstanding request gets when the connection
// fails. It matches ErrConnLost and its cause with errors.Is.
// A request whose own reply was malformed also matches ErrBadReply.
type lostError struct {
	cause    error
	badReply bool
}

func (e *lostError) Error() string {
	if e.badReply {
		return "netpoll: connection lost: malformed reply: " + e.cause.Error()
	}
	return "netpoll: connection lost: " + e.cause.Error()
}

func (e *lostError) Unwrap() []error {
	if e.badReply {
		return []error{ErrConnLost, ErrBadReply, e.cause}
	}
	return []error{ErrConnLost, e.cause}
}
