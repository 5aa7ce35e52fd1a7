package resp

import (
	"math"
	"strconv"
	"unsafe"
)

// parseInt parses [+-]?[0-9]+ into an int64, reporting false on anything else
// or on overflow. It allocates nothing.
func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	neg := false
	switch b[0] {
	case '-':
		neg = true
		b = b[1:]
	case '+':
		b = b[1:]
	}
	if len(b) == 0 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		d := c - '0'
		if d > 9 {
			return 0, false
		}
		if n > (math.MaxUint64-9)/10 {
			return 0, false
		}
		n = n*10 + uint64(d)
	}
	if neg {
		if n > 1<<63 {
			return 0, false
		}
		return -int64(n), true
	}
	if n > math.MaxInt64 {
		return 0, false
	}
	return int64(n), true
}

// parseLen parses a length field: [0-9]+ or -1 (null). Leading zeros are
// accepted; a sign other than the one in -1 is not.
func parseLen(b []byte) (int64, bool) {
	if len(b) == 2 && b[0] == '-' && b[1] == '1' {
		return -1, true
	}
	if len(b) == 0 || b[0] == '-' || b[0] == '+' {
		return 0, false
	}
	return parseInt(b)
}

// validBigNumber reports whether b is [+-]?[0-9]+ of any length.
func validBigNumber(b []byte) bool {
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		b = b[1:]
	}
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// validDouble reports whether b is a RESP3 double: inf, -inf or nan (in any
// case, with an optional sign on inf), or a decimal number with an optional
// fraction and exponent: [+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?
func validDouble(b []byte) bool {
	i := 0
	if i < len(b) && (b[i] == '-' || b[i] == '+') {
		i++
	}
	if rest := b[i:]; len(rest) == 3 {
		if equalFoldASCII(rest, "inf") || (i == 0 && equalFoldASCII(rest, "nan")) {
			return true
		}
	}
	digits := 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
		digits++
	}
	if i < len(b) && b[i] == '.' {
		i++
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '-' || b[i] == '+') {
			i++
		}
		exp := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(b)
}

func equalFoldASCII(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := range b {
		if b[i]|0x20 != lower[i] {
			return false
		}
	}
	return true
}

// parseFloat converts a number in any form Redis sends (a RESP3 double, or a
// bulk string such as INCRBYFLOAT's reply) without allocating. Out-of-range
// magnitudes become ±Inf, as strconv reports them.
func parseFloat(b []byte) (float64, bool) {
	if !validDouble(b) {
		return 0, false
	}
	s := b
	if s[0] == '+' || s[0] == '-' {
		s = s[1:]
	}
	if len(s) == 3 && equalFoldASCII(s, "inf") {
		if b[0] == '-' {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	}
	if len(s) == 3 && equalFoldASCII(s, "nan") {
		return math.NaN(), true
	}
	// strconv does not retain its argument (it clones the string into any
	// error it returns), so a string view of b is safe and spares a copy.
	f, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(b), len(b)), 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, true
		}
		return 0, false
	}
	return f, true
}
