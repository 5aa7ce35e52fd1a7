package resp

import (
	"errors"
	"strconv"
)

// ErrIncomplete is returned by Reader.Parse when the input ends before the
// value does. It is not a failure: call Parse again once more bytes have
// arrived (Reader.Need says how many are needed at least).
var ErrIncomplete = errors.New("resp: incomplete value, need more bytes")

// The kinds of protocol error. A *ProtocolError wraps exactly one of them, so
// callers can test with errors.Is(err, resp.ErrTooDeep) and the like.
var (
	// ErrSyntax means the bytes are not RESP.
	ErrSyntax = errors.New("resp: syntax error")
	// ErrTooLong means a string is longer than Reader.MaxBulkLen.
	ErrTooLong = errors.New("resp: string longer than the limit")
	// ErrTooManyElements means an aggregate has more elements than Reader.MaxAggregateLen.
	ErrTooManyElements = errors.New("resp: aggregate larger than the limit")
	// ErrTooDeep means aggregates nest deeper than Reader.MaxDepth.
	ErrTooDeep = errors.New("resp: nesting deeper than the limit")
)

// ProtocolError describes input that is not valid RESP or that exceeds one of
// the reader's limits. Offset counts bytes from the start of the value being
// parsed.
type ProtocolError struct {
	Kind   error // ErrSyntax, ErrTooLong, ErrTooManyElements or ErrTooDeep
	Offset int
	Reason string
}

func (e *ProtocolError) Error() string {
	return e.Kind.Error() + " at byte " + strconv.Itoa(e.Offset) + ": " + e.Reason
}

// Unwrap returns the kind of the error.
func (e *ProtocolError) Unwrap() error { return e.Kind }

func syntaxError(off int, reason string) error {
	return &ProtocolError{Kind: ErrSyntax, Offset: off, Reason: reason}
}

// TypeError is returned by a Value accessor asked for something the value
// does not hold, such as Int on an array or on a bulk string that is not a
// number.
type TypeError struct {
	Want string // what was asked for: "integer", "float", "boolean"
	Got  Type
}

func (e *TypeError) Error() string {
	return "resp: cannot read a " + e.Got.String() + " as " + e.Want
}
