package fastredis

import (
	"errors"
	"strings"

	"github.com/fastredis/fastredis/resp"
)

// Nil is returned when the server replies with a null: GET of a missing key,
// for example. Test for it with errors.Is(err, fastredis.Nil).
//
//lint:ignore ST1012 the name matches go-redis's redis.Nil, which users of both expect.
var Nil = errors.New("fastredis: nil")

// ErrClosed is returned by commands issued after Close.
var ErrClosed = errors.New("fastredis: client closed")

// ErrEmptyCommand is returned by Exec for a Cmd that was never Reset.
var ErrEmptyCommand = errors.New("fastredis: empty command")

// Error is an error reply from the server. Reach it with errors.As:
//
//	var e *fastredis.Error
//	if errors.As(err, &e) && e.Prefix == "WRONGTYPE" { ... }
type Error struct {
	// Prefix is the error code: the first word of the reply, such as ERR,
	// WRONGTYPE, NOAUTH, MOVED or BUSY.
	Prefix string
	// Message is the rest of the reply.
	Message string
	// Command is the name of the command that failed, in upper case.
	Command string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("fastredis: ")
	if e.Command != "" {
		b.WriteString(e.Command)
		b.WriteString(": ")
	}
	b.WriteString(e.Prefix)
	if e.Message != "" {
		b.WriteByte(' ')
		b.WriteString(e.Message)
	}
	return b.String()
}

// newError builds an *Error from an error reply (simple or bulk).
func newError(v resp.Value, command string) *Error {
	text := v.String()
	prefix, message, _ := strings.Cut(text, " ")
	return &Error{Prefix: prefix, Message: message, Command: command}
}
