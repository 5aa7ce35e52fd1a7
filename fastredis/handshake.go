package fastredis

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/fastredis/fastredis/netpoll"
)

// handshake prepares a new connection: protocol, authentication, name,
// library identity, database, and a wait while the server loads its data.
func (c *Client) handshake(ctx context.Context, cn *netpoll.Conn) error {
	o := &c.opts
	username, password, err := c.credentials(ctx)
	if err != nil {
		return err
	}
	resp2 := o.Protocol == 2
	if !resp2 {
		args := []any{"HELLO", "3"}
		if password != "" {
			user := username
			if user == "" {
				user = "default"
			}
			args = append(args, "AUTH", user, password)
		}
		if o.ClientName != "" {
			args = append(args, "SETNAME", o.ClientName)
		}
		_, err := call(ctx, cn, args...)
		var e *Error
		switch {
		case err == nil:
		case errors.As(err, &e) && (e.Prefix == "NOPROTO" || isUnknownCommand(e)):
			resp2 = true // a server without RESP3: carry on in RESP2
		default:
			return handshakeError("HELLO", err)
		}
	}
	if resp2 && c.cache != nil {
		return handshakeError("HELLO", errors.New("Options.Cache needs RESP3, which the server does not speak"))
	}
	if resp2 {
		if password != "" {
			args := []any{"AUTH", password}
			if username != "" {
				args = []any{"AUTH", username, password}
			}
			if _, err := call(ctx, cn, args...); err != nil {
				if !isNoPasswordConfigured(err) {
					return handshakeError("AUTH", err)
				}
				// A password for a server that has none: as ioredis does, warn
				// and carry on (the connection is as usable as without it).
				c.emit(Event{Type: EventWarning, Conn: "handshake", Err: handshakeError("AUTH", err)})
			}
		}
		if o.ClientName != "" {
			if _, err := call(ctx, cn, "CLIENT", "SETNAME", o.ClientName); err != nil {
				return handshakeError("CLIENT SETNAME", err)
			}
		}
	}
	if !o.DisableIdentity {
		// Servers before 7.2 do not know CLIENT SETINFO; that is fine.
		for _, kv := range [][2]string{{"LIB-NAME", "fastredis"}, {"LIB-VER", Version}} {
			if _, err := call(ctx, cn, "CLIENT", "SETINFO", kv[0], kv[1]); err != nil && !isServerError(err) {
				return handshakeError("CLIENT SETINFO", err)
			}
		}
	}
	if db := c.DB(); db != 0 {
		if _, err := call(ctx, cn, "SELECT", db); err != nil {
			return handshakeError("SELECT", err)
		}
	}
	if c.readOnly {
		// A cluster replica serving reads: without READONLY it redirects
		// every command to its master.
		if _, err := call(ctx, cn, "READONLY"); err != nil {
			return handshakeError("READONLY", err)
		}
	}
	return c.waitUntilLoaded(ctx, cn)
}

// waitUntilLoaded polls INFO persistence while the server reports that it is
// loading its dataset, sleeping as long as its loading_eta_seconds suggests
// (at least 100ms, at most 1s a time), and up to Options.MaxLoadingWait in
// all. The server announces nothing when loading ends, so polling is the
// only way to learn it.
func (c *Client) waitUntilLoaded(ctx context.Context, cn *netpoll.Conn) error {
	deadline := time.Now().Add(c.opts.MaxLoadingWait)
	for {
		info, err := call(ctx, cn, "INFO", "persistence")
		if isServerError(err) {
			// Refused (an ACL user without +info, a renamed command): the
			// server is taken to be ready, as ioredis does, rather than
			// refusing every connection to it.
			return nil
		}
		if err != nil {
			return handshakeError("INFO", err)
		}
		loading, eta := parseLoading(info.Str)
		if !loading {
			return nil
		}
		wait := min(max(eta, 100*time.Millisecond), time.Second)
		if time.Now().Add(wait).After(deadline) {
			return errors.New("fastredis: the server is still loading its dataset after MaxLoadingWait")
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// parseLoading reads loading and loading_eta_seconds from INFO output.
func parseLoading(info string) (loading bool, eta time.Duration) {
	for _, line := range strings.Split(info, "\n") {
		line = strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(line, "loading:"); ok {
			loading = v == "1"
		}
		if v, ok := strings.CutPrefix(line, "loading_eta_seconds:"); ok {
			if s, err := strconv.Atoi(v); err == nil {
				eta = time.Duration(s) * time.Second
			}
		}
	}
	return loading, eta
}

// call runs one command on cn and returns its reply (used where no Client
// routing applies, such as during the handshake).
func call(ctx context.Context, cn *netpoll.Conn, args ...any) (Reply, error) {
	cmd, err := appendArgs(nil, args)
	if err != nil {
		return Reply{}, err
	}
	h := &replyHandler{command: commandName(args)}
	if err := cn.Do(ctx, h, 1, func(b []byte) []byte { return append(b, cmd...) }); err != nil {
		return Reply{}, err
	}
	if h.err != nil {
		return Reply{}, h.err
	}
	return h.reply, nil
}

func isServerError(err error) bool {
	var e *Error
	return errors.As(err, &e)
}

// isNoPasswordConfigured reports whether err is the server's answer to a
// one-argument AUTH when it has no password configured.
func isNoPasswordConfigured(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Prefix == "ERR" && strings.Contains(e.Message, "without any password configured")
}

func isUnknownCommand(e *Error) bool {
	return e.Prefix == "ERR" && strings.HasPrefix(e.Message, "unknown command")
}

// handshakeError says which step failed. Server errors keep their type
// (errors.As still finds the *Error, e.g. WRONGPASS).
func handshakeError(step string, err error) error {
	return &HandshakeError{Step: step, Err: err}
}

// HandshakeError is returned when preparing a new connection fails: Step
// names the command (HELLO, AUTH, SELECT, ...), Err is the cause, an *Error
// for a refusal by the server. It never contains the password.
type HandshakeError struct {
	Step string
	Err  error
}

func (e *HandshakeError) Error() string {
	return "fastredis: connection handshake failed at " + e.Step + ": " + e.Err.Error()
}

func (e *HandshakeError) Unwrap() error { return e.Err }
