package fastredisotel

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/fastredis/fastredis/fastredis"
)

// Limits of db.query.text: arguments longer than maxArgLen bytes are cut,
// and arguments past maxArgs, a pipeline's commands past maxCommands, are
// counted, not shown.
const (
	maxArgLen   = 128
	maxArgs     = 64
	maxCommands = 64
)

// redacted replaces a password in db.query.text.
const redacted = "?"

// appendStatement appends the command's text to b: its arguments separated
// by spaces, quoted where needed, passwords replaced by "?".
func appendStatement(b []byte, ci *fastredis.CommandInfo, scratch [][]byte) ([]byte, [][]byte) {
	args := ci.AppendArgs(scratch[:0])
	if len(args) == 0 {
		return append(b, ci.Name()...), args
	}
	secret := secretArgs(ci.Name(), args)
	for i, a := range args {
		if i == maxArgs {
			b = append(b, " ... ("...)
			b = strconv.AppendInt(b, int64(len(args)-maxArgs), 10)
			b = append(b, " more)"...)
			break
		}
		if i > 0 {
			b = append(b, ' ')
		}
		if secret(i) {
			b = append(b, redacted...)
			continue
		}
		b = appendArg(b, a)
	}
	return b, args
}

// appendArg appends a as redis-cli shows it: bare when it is printable
// and has no space or quote, quoted otherwise; cut at maxArgLen bytes.
func appendArg(b, a []byte) []byte {
	cut := 0
	if len(a) > maxArgLen {
		cut = len(a)
		a = a[:maxArgLen]
		for i := 0; i < utf8.UTFMax-1 && !utf8.Valid(a); i++ {
			a = a[:len(a)-1] // do not split a rune
		}
	}
	if plain(a) {
		b = append(b, a...)
	} else {
		b = strconv.AppendQuote(b, string(a))
	}
	if cut > 0 {
		b = append(b, "...("...)
		b = strconv.AppendInt(b, int64(cut), 10)
		b = append(b, " bytes)"...)
	}
	return b
}

func plain(a []byte) bool {
	if len(a) == 0 || !utf8.Valid(a) {
		return false
	}
	for _, r := range string(a) {
		if r <= ' ' || r == '"' || r == '\'' || r == '\\' || r == 0x7f || !strconv.IsPrint(r) {
			return false
		}
	}
	return true
}

// secretArgs returns which arguments of the command (name first) are
// passwords: AUTH's, HELLO's and MIGRATE's after their AUTH token, the
// values of CONFIG SET's password parameters, ACL SETUSER's password rules,
// and SENTINEL's auth-pass.
func secretArgs(name string, args [][]byte) func(i int) bool {
	switch name {
	case "AUTH":
		return func(i int) bool { return i > 0 }
	case "HELLO":
		// HELLO protover AUTH username password SETNAME name
		at := tokenIndex(args, 2, "AUTH")
		return func(i int) bool { return at > 0 && i == at+2 }
	case "MIGRATE":
		// ... AUTH password | AUTH2 username password ... KEYS key ...
		auth, auth2 := tokenIndex(args, 6, "AUTH"), tokenIndex(args, 6, "AUTH2")
		return func(i int) bool { return (auth > 0 && i == auth+1) || (auth2 > 0 && i == auth2+2) }
	case "CONFIG SET", "SENTINEL CONFIG", "SENTINEL SET":
		// CONFIG SET param value [param value ...]; SENTINEL SET master
		// option value ...; SENTINEL CONFIG SET param value.
		return func(i int) bool { return i > 2 && isSecretParam(args[i-1]) }
	case "ACL SETUSER":
		// >password, <password, #hash, !hash
		return func(i int) bool {
			return i > 2 && len(args[i]) > 0 && strings.IndexByte("><#!", args[i][0]) >= 0
		}
	}
	return func(int) bool { return false }
}

// tokenIndex returns the index of the first argument from index from that
// is tok (case-insensitive), or -1.
func tokenIndex(args [][]byte, from int, tok string) int {
	for i := from; i < len(args); i++ {
		if bytes.EqualFold(args[i], []byte(tok)) {
			return i
		}
	}
	return -1
}

// isSecretParam reports whether a CONFIG SET or SENTINEL parameter holds
// a password.
func isSecretParam(p []byte) bool {
	for _, s := range [...]string{"requirepass", "masterauth", "auth-pass", "sentinel-pass",
		"tls-key-file-pass", "tls-client-key-file-pass"} {
		if bytes.EqualFold(p, []byte(s)) {
			return true
		}
	}
	return false
}
