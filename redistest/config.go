package redistest

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// config builds a redis.conf. Each directive is one line; when a directive
// appears twice, the later line wins (for directives that take one value), so
// lines added last override the defaults written first.
type config struct {
	b strings.Builder
}

// set writes a directive whose arguments are quoted as needed: each argument
// reaches the server as exactly the string given.
func (c *config) set(directive string, args ...string) {
	c.b.WriteString(directive)
	for _, a := range args {
		c.b.WriteByte(' ')
		c.b.WriteString(quoteConfigArg(a))
	}
	c.b.WriteByte('\n')
}

// setInt writes a directive with one integer argument.
func (c *config) setInt(directive string, n int) { c.set(directive, strconv.Itoa(n)) }

// raw writes a line as is (a user's own configuration line).
func (c *config) raw(line string) {
	c.b.WriteString(line)
	c.b.WriteByte('\n')
}

func (c *config) String() string { return c.b.String() }

func (c *config) writeFile(path string) error {
	if err := os.WriteFile(path, []byte(c.String()), 0o600); err != nil {
		return fmt.Errorf("redistest: writing %s: %w", path, err)
	}
	return nil
}

// quoteConfigArg quotes s for redis.conf when it needs it. Redis splits
// configuration lines like a shell (sdssplitargs): a double-quoted argument
// may hold spaces and the escapes \\ \" \n \r \t \a \b and \xHH.
func quoteConfigArg(s string) string {
	plain := s != ""
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		plain = c > ' ' && c < 0x7f && c != '"' && c != '\'' && c != '\\'
	}
	if plain {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c >= 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
