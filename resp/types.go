package resp

// Type is the kind of a RESP value. Its value is the byte that introduces the
// value on the wire.
type Type byte

// The RESP2 and RESP3 types. A RESP2 null bulk string ($-1) and null array
// (*-1) are reported as Null, like the RESP3 null (_).
const (
	SimpleString   Type = '+'
	SimpleError    Type = '-'
	Integer        Type = ':'
	BulkString     Type = '$'
	Array          Type = '*'
	Null           Type = '_'
	Boolean        Type = '#'
	Double         Type = ','
	BigNumber      Type = '('
	BulkError      Type = '!'
	VerbatimString Type = '='
	Map            Type = '%'
	Set            Type = '~'
	Attribute      Type = '|'
	Push           Type = '>'
)

// String returns the type's name as the RESP3 specification spells it.
func (t Type) String() string {
	switch t {
	case SimpleString:
		return "simple string"
	case SimpleError:
		return "simple error"
	case Integer:
		return "integer"
	case BulkString:
		return "bulk string"
	case Array:
		return "array"
	case Null:
		return "null"
	case Boolean:
		return "boolean"
	case Double:
		return "double"
	case BigNumber:
		return "big number"
	case BulkError:
		return "bulk error"
	case VerbatimString:
		return "verbatim string"
	case Map:
		return "map"
	case Set:
		return "set"
	case Attribute:
		return "attribute"
	case Push:
		return "push"
	}
	return "invalid type"
}

// IsAggregate reports whether values of type t contain other values.
func (t Type) IsAggregate() bool {
	switch t {
	case Array, Map, Set, Attribute, Push:
		return true
	}
	return false
}

// elementsPer is how many wire elements one counted entry of an aggregate
// header stands for: two for maps and attributes (key and value), one otherwise.
func (t Type) elementsPer() int64 {
	if t == Map || t == Attribute {
		return 2
	}
	return 1
}
