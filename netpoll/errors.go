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
	// ErrBadRequest means Do was called with a nil Handler, a reply count
	// below 1, or an encode function that wrote nothing.
	ErrBadRequest = errors.New("netpoll: invalid request")
	// ErrSocketTimeout is the cause when replies were owed and no byte
	// arrived for Options.SocketTimeout.
	ErrSocketTimeout = errors.New("netpoll: socket timeout: replies owed, nothing read")
)

// lostError is the error every outstanding request gets when the connection
// fails. It matches ErrConnLost and its cause with errors.Is.
type lostError struct{ cause error }

func (e *lostError) Error() string { return "netpoll: connection lost: " + e.cause.Error() }

func (e *lostError) Unwrap() []error { return []error{ErrConnLost, e.cause} }
