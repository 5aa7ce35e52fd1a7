package fastredis

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// sdsRepr quotes s as Redis's sdscatrepr does for MONITOR.
func sdsRepr(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		default:
			if c >= 0x20 && c < 0x7f {
				b.WriteByte(c)
			} else {
				b.WriteString(`\x`)
				h := strconv.FormatUint(uint64(c), 16)
				if len(h) == 1 {
					b.WriteByte('0')
				}
				b.WriteString(h)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// FuzzParseMonitorLine: any line parses or fails cleanly, and arguments
// quoted as the server quotes them come back byte for byte.
func FuzzParseMonitorLine(f *testing.F) {
	f.Add(`1339518083.107412 [0 127.0.0.1:60866] "keys" "*"`, "SET\x00k\x00\xff\"\\v")
	f.Add(`1.5 [3 lua] "GET" "a\x00b"`, "a b")
	f.Add(`123 [0 unix:/tmp/r.sock] "PING"`, "")
	f.Fuzz(func(t *testing.T, line, argsJoined string) {
		_, _ = parseMonitorLine(line) // must not panic

		args := strings.Split(argsJoined, "\x00")
		quoted := make([]string, len(args))
		for i, a := range args {
			quoted[i] = sdsRepr(a)
		}
		ev, err := parseMonitorLine("1700000000.000001 [2 10.0.0.1:5000] " + strings.Join(quoted, " "))
		if err != nil {
			t.Fatalf("args %q: %v", args, err)
		}
		if !slices.Equal(ev.Args, args) || ev.DB != 2 || ev.Addr != "10.0.0.1:5000" {
			t.Fatalf("args %q came back as %q (db %d, addr %q)", args, ev.Args, ev.DB, ev.Addr)
		}
	})
}
