package fastredis

import (
	"fmt"
)

// Some commands change the state of the connection they run on: they open a
// transaction, watch keys, enter subscriber mode, switch the database or
// the protocol, or stop replies. The client's connections are shared by
// every caller, so through Do and Exec those commands are refused there with
// an error that names what to use instead. On a dedicated connection (a Tx)
// they are allowed, and the connection is closed afterwards rather than
// reused.

// connStateCommand returns the upper-case name of a command that changes
// its connection's state, or "". arg1 is the first argument (for CLIENT
// REPLY). It does not allocate.
func connStateCommand[T string | []byte](name, arg1 T) string {
	var buf [16]byte
	if len(name) > len(buf) {
		return ""
	}
	n := upperInto(buf[:], name)
	switch string(buf[:n]) {
	case "MULTI":
		return "MULTI"
	case "EXEC":
		return "EXEC"
	case "DISCARD":
		return "DISCARD"
	case "WATCH":
		return "WATCH"
	case "UNWATCH":
		return "UNWATCH"
	case "SUBSCRIBE":
		return "SUBSCRIBE"
	case "PSUBSCRIBE":
		return "PSUBSCRIBE"
	case "SSUBSCRIBE":
		return "SSUBSCRIBE"
	case "UNSUBSCRIBE":
		return "UNSUBSCRIBE"
	case "PUNSUBSCRIBE":
		return "PUNSUBSCRIBE"
	case "SUNSUBSCRIBE":
		return "SUNSUBSCRIBE"
	case "MONITOR":
		return "MONITOR"
	case "SELECT":
		return "SELECT"
	case "HELLO":
		return "HELLO"
	case "AUTH":
		return "AUTH"
	case "RESET":
		return "RESET"
	case "QUIT":
		return "QUIT"
	case "CLIENT":
		if len(arg1) == 5 || len(arg1) == 8 {
			n = upperInto(buf[:], arg1)
			switch string(buf[:n]) {
			case "REPLY":
				return "CLIENT REPLY"
			case "TRACKING":
				return "CLIENT TRACKING"
			}
		}
	}
	return ""
}

func upperInto[T string | []byte](dst []byte, s T) int {
	n := copy(dst, s)
	for i := range dst[:n] {
		if c := dst[i]; 'a' <= c && c <= 'z' {
			dst[i] = c - 'a' + 'A'
		}
	}
	return n
}

// connStateError explains why a command is refused on a shared connection.
func connStateError(command string) error {
	var instead string
	switch command {
	case "MULTI", "EXEC", "DISCARD":
		instead = "use TxPipeline, or Multi and EndMulti on a Pipeline"
	case "WATCH", "UNWATCH":
		instead = "use Client.Watch, which gives the transaction a connection of its own"
	case "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE":
		instead = "pub/sub needs a connection of its own"
	case "MONITOR":
		instead = "MONITOR needs a connection of its own"
	case "SELECT":
		instead = "set Options.DB"
	case "HELLO", "AUTH":
		instead = "set Options.Protocol, Username and Password: the client's handshake sends them"
	case "RESET", "QUIT":
		instead = "use Close"
	case "CLIENT REPLY":
		instead = "replies are how the client matches results to callers"
	case "CLIENT TRACKING":
		instead = "set Options.Cache: it turns tracking on for every shared connection, receives the invalidations and keeps tracking on"
	}
	return fmt.Errorf("fastredis: %s changes the state of the connection, which the client shares between callers: %s", command, instead)
}

// arg1 returns the first argument of a Do command as a string, or "".
func arg1(args []any) string {
	if len(args) < 2 {
		return ""
	}
	switch a := args[1].(type) {
	case string:
		return a
	case []byte:
		return string(a)
	}
	return ""
}

// refuseConnState returns an error for a connection-state command.
func refuseConnState(name string, args []any) error {
	if cmd := connStateCommand(name, arg1(args)); cmd != "" {
		return connStateError(cmd)
	}
	return nil
}

// refuseOnShared refuses a connection-state command unless the client is a
// Tx's view of its own connection, which it then marks as not reusable.
func (c *Client) refuseOnShared(name string, args []any) error {
	cmd := connStateCommand(name, arg1(args))
	if cmd == "" {
		return nil
	}
	if c.pin != nil {
		c.pin.dirty.Store(true)
		return nil
	}
	return connStateError(cmd)
}
