package resp

// AppendValue appends v, re-encoded as RESP, to dst: a copy that outlives the
// buffer v views, which a Reader can parse again. Attributes are kept;
// streamed strings and aggregates are written in their counted form, null
// bulk strings and arrays as RESP3 nulls. It allocates nothing when dst has
// room.
//
// It recurses once per level of nesting, which the Reader that produced v
// bounded by its MaxDepth.
func AppendValue(dst []byte, v Value) []byte {
	if v.attrs != nil {
		a, _ := v.Attrs()
		dst = AppendValue(dst, a)
	}
	switch t := v.typ; t {
	case Null:
		return AppendNull(dst)
	case SimpleString, SimpleError, Integer, Double, BigNumber, Boolean:
		return appendLine(dst, byte(t), string(v.data)) // the conversion does not escape
	case BulkString, BulkError:
		if v.streamed {
			n := 0
			for c := v.data; len(c) > 0; {
				i := indexCR(c)
				l, _ := parseLen(c[1:i])
				if l == 0 {
					break
				}
				n += int(l)
				c = c[i+2+int(l)+2:]
			}
			dst = appendHeader(dst, byte(t), int64(n))
			dst = v.AppendBytes(dst)
			return append(dst, '\r', '\n')
		}
		dst = appendHeader(dst, byte(t), int64(len(v.data)))
		dst = append(dst, v.data...)
		return append(dst, '\r', '\n')
	case VerbatimString:
		dst = appendHeader(dst, '=', int64(len(v.data)))
		dst = append(dst, v.data...)
		return append(dst, '\r', '\n')
	case Array, Set, Push, Map, Attribute:
		dst = appendHeader(dst, byte(t), int64(v.Len()))
		if v.exact {
			return append(dst, v.data...)
		}
		it := v.Iter()
		for it.Next() {
			dst = AppendValue(dst, it.Value())
		}
		return dst
	}
	return dst
}

func indexCR(b []byte) int {
	for i, c := range b {
		if c == '\r' {
			return i
		}
	}
	return -1
}
