package redistest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// respTimeout bounds one exchange with a server, so a wedged server turns
// into an error instead of a hung test.
const respTimeout = 5 * time.Second

// redisError is an error reply of a server ("-ERR ...", "-MOVED ...") seen
// by the administrative commands that redistest sends itself, e.g. while
// building a cluster or migrating a slot.
type redisError string

func (e redisError) Error() string { return string(e) }

// respConn is a tiny RESP2 client for the commands redistest sends itself
// (CLUSTER ..., INFO, ROLE, MIGRATE). The package must not import fastredis,
// whose tests import redistest, so it speaks the protocol directly. Replies
// are a string (simple or bulk), an int64, nil, a []any, or a redisError as
// the error. It is not safe for concurrent use.
type respConn struct {
	addr string
	c    net.Conn
	r    *bufio.Reader
}

// dialResp connects to addr over plain TCP and authenticates as the default
// user when password is set.
func dialResp(ctx context.Context, addr, password string) (*respConn, error) {
	d := net.Dialer{Timeout: respTimeout}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	rc := &respConn{addr: addr, c: c, r: bufio.NewReader(c)}
	if password != "" {
		if _, err := rc.do("AUTH", password); err != nil {
			c.Close()
			return nil, fmt.Errorf("AUTH on %s: %w", addr, err)
		}
	}
	return rc, nil
}

func (rc *respConn) Close() error { return rc.c.Close() }

// do sends one command and reads its reply.
func (rc *respConn) do(args ...string) (any, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if err := rc.c.SetDeadline(time.Now().Add(respTimeout)); err != nil {
		return nil, err
	}
	if _, err := io.WriteString(rc.c, b.String()); err != nil {
		return nil, err
	}
	return rc.reply()
}

func (rc *respConn) reply() (any, error) {
	line, err := rc.r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	line = strings.TrimSuffix(line, "\r\n")
	if line == "" {
		return nil, errors.New("redistest: empty reply line")
	}
	switch body := line[1:]; line[0] {
	case '+':
		return body, nil
	case '-':
		return nil, redisError(body)
	case ':':
		return strconv.ParseInt(body, 10, 64)
	case '$':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return nil, err
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(rc.r, buf); err != nil {
			return nil, err
		}
		return string(buf[:n]), nil
	case '*':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return nil, err
		}
		a := make([]any, n)
		for i := range a {
			if a[i], err = rc.reply(); err != nil {
				return nil, err
			}
		}
		return a, nil
	}
	return nil, fmt.Errorf("redistest: unexpected reply %q", line)
}

// infoField returns the value of field in an INFO or CLUSTER INFO reply, or
// "" when it is absent.
func infoField(info, field string) string {
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimRight(line, "\r"), field+":"); ok {
			return v
		}
	}
	return ""
}
