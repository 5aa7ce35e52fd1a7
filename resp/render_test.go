package resp

import (
	"strconv"
	"strings"
)

// render writes a value tree in a compact canonical form for comparisons:
// scalars as type byte plus quoted payload, aggregates as type byte and
// bracketed elements, attributes prefixed with |{...}.
func render(v Value) string {
	var sb strings.Builder
	renderTo(&sb, v)
	return sb.String()
}

func renderTo(sb *strings.Builder, v Value) {
	if a, ok := v.Attrs(); ok {
		sb.WriteString("|")
		renderTo(sb, a)
	}
	switch {
	case v.Type() == Null:
		sb.WriteString("_")
	case v.Type().IsAggregate():
		sb.WriteByte(byte(v.Type()))
		sb.WriteString(strconv.Itoa(v.Len()))
		sb.WriteString("[")
		it := v.Iter()
		for i := 0; it.Next(); i++ {
			if i > 0 {
				sb.WriteString(" ")
			}
			renderTo(sb, it.Value())
		}
		sb.WriteString("]")
	default:
		sb.WriteByte(byte(v.Type()))
		if v.Type() == VerbatimString {
			sb.WriteString(v.Format() + ":")
		}
		sb.WriteString(strconv.Quote(v.String()))
	}
}
