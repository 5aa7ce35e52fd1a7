package resp

import (
	"math"
	"strconv"
)

// The append functions below write RESP to a caller-owned slice and return
// the extended slice, in the manner of strconv.AppendInt. None of them
// allocates when dst has room.
//
// A command is an array of bulk strings:
//
//	buf = resp.AppendArrayHeader(buf, 3)
//	buf = resp.AppendBulkString(buf, "SET")
//	buf = resp.AppendBulkString(buf, key)
//	buf = resp.AppendBulk(buf, value)
//
// The other functions write the RESP3 reply types; servers and test fakes use
// them.

// AppendArrayHeader appends the header of an array of n elements (*n CRLF).
func AppendArrayHeader(dst []byte, n int) []byte { return appendHeader(dst, '*', int64(n)) }

// AppendBulkHeader appends the header of a bulk string of n bytes ($n
// CRLF): the payload and a CRLF must follow. It lets a writer send a large
// payload from where it lies instead of copying it in.
func AppendBulkHeader(dst []byte, n int) []byte { return appendHeader(dst, '$', int64(n)) }

// AppendBulk appends p as a bulk string.
func AppendBulk(dst, p []byte) []byte {
	dst = appendHeader(dst, '$', int64(len(p)))
	dst = append(dst, p...)
	return append(dst, '\r', '\n')
}

// AppendBulkString appends s as a bulk string.
func AppendBulkString(dst []byte, s string) []byte {
	dst = appendHeader(dst, '$', int64(len(s)))
	dst = append(dst, s...)
	return append(dst, '\r', '\n')
}

// AppendBulkInt appends the decimal text of n as a bulk string, the form in
// which Redis takes integer arguments.
func AppendBulkInt(dst []byte, n int64) []byte {
	var tmp [20]byte
	return AppendBulk(dst, strconv.AppendInt(tmp[:0], n, 10))
}

// AppendBulkUint appends the decimal text of n as a bulk string.
func AppendBulkUint(dst []byte, n uint64) []byte {
	var tmp [20]byte
	return AppendBulk(dst, strconv.AppendUint(tmp[:0], n, 10))
}

// AppendBulkFloat appends f as a bulk string in the shortest form that reads
// back exactly. Infinities are written +inf and -inf, as Redis spells them in
// arguments such as ZADD scores and ZRANGEBYSCORE bounds.
func AppendBulkFloat(dst []byte, f float64) []byte {
	var tmp [32]byte
	return AppendBulk(dst, appendFloat(tmp[:0], f))
}

// AppendBulkBool appends a bool as the bulk string 1 or 0.
func AppendBulkBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, "$1\r\n1\r\n"...)
	}
	return append(dst, "$1\r\n0\r\n"...)
}

// AppendSimpleString appends s as a simple string. s must not contain CR or LF.
func AppendSimpleString(dst []byte, s string) []byte { return appendLine(dst, '+', s) }

// AppendError appends msg (such as "ERR unknown command") as a simple error.
// msg must not contain CR or LF.
func AppendError(dst []byte, msg string) []byte { return appendLine(dst, '-', msg) }

// AppendBulkError appends msg as a RESP3 bulk error; it may hold any bytes.
func AppendBulkError(dst []byte, msg string) []byte {
	dst = appendHeader(dst, '!', int64(len(msg)))
	dst = append(dst, msg...)
	return append(dst, '\r', '\n')
}

// AppendInt appends n as an integer.
func AppendInt(dst []byte, n int64) []byte { return appendHeader(dst, ':', n) }

// AppendNull appends the RESP3 null (_).
func AppendNull(dst []byte) []byte { return append(dst, "_\r\n"...) }

// AppendNullBulk appends the RESP2 null bulk string ($-1).
func AppendNullBulk(dst []byte) []byte { return append(dst, "$-1\r\n"...) }

// AppendNullArray appends the RESP2 null array (*-1).
func AppendNullArray(dst []byte) []byte { return append(dst, "*-1\r\n"...) }

// AppendBool appends a RESP3 boolean.
func AppendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, "#t\r\n"...)
	}
	return append(dst, "#f\r\n"...)
}

// AppendDouble appends f as a RESP3 double (inf, -inf and nan included).
func AppendDouble(dst []byte, f float64) []byte {
	dst = append(dst, ',')
	switch {
	case math.IsInf(f, 1):
		dst = append(dst, "inf"...)
	case math.IsInf(f, -1):
		dst = append(dst, "-inf"...)
	case math.IsNaN(f):
		dst = append(dst, "nan"...)
	default:
		dst = strconv.AppendFloat(dst, f, 'g', -1, 64)
	}
	return append(dst, '\r', '\n')
}

// AppendBigNumber appends digits, a decimal integer of any size with an
// optional sign, as a RESP3 big number.
func AppendBigNumber(dst []byte, digits string) []byte { return appendLine(dst, '(', digits) }

// AppendVerbatim appends s as a RESP3 verbatim string of the given
// three-letter format ("txt" or "mkd").
func AppendVerbatim(dst []byte, format, s string) []byte {
	dst = appendHeader(dst, '=', int64(len(s)+4))
	dst = append(dst, format...)
	dst = append(dst, ':')
	dst = append(dst, s...)
	return append(dst, '\r', '\n')
}

// AppendMapHeader appends the header of a RESP3 map of n key-value pairs.
func AppendMapHeader(dst []byte, n int) []byte { return appendHeader(dst, '%', int64(n)) }

// AppendSetHeader appends the header of a RESP3 set of n elements.
func AppendSetHeader(dst []byte, n int) []byte { return appendHeader(dst, '~', int64(n)) }

// AppendPushHeader appends the header of a RESP3 push of n elements.
func AppendPushHeader(dst []byte, n int) []byte { return appendHeader(dst, '>', int64(n)) }

// AppendAttributeHeader appends the header of a RESP3 attribute of n pairs;
// the value it annotates follows its pairs.
func AppendAttributeHeader(dst []byte, n int) []byte { return appendHeader(dst, '|', int64(n)) }

func appendHeader(dst []byte, t byte, n int64) []byte {
	dst = append(dst, t)
	if uint64(n) < 10 {
		dst = append(dst, byte('0'+n))
	} else {
		dst = strconv.AppendInt(dst, n, 10)
	}
	return append(dst, '\r', '\n')
}

func appendLine(dst []byte, t byte, s string) []byte {
	dst = append(dst, t)
	dst = append(dst, s...)
	return append(dst, '\r', '\n')
}

func appendFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "+inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case math.IsNaN(f):
		return append(dst, "nan"...)
	}
	return strconv.AppendFloat(dst, f, 'g', -1, 64)
}
