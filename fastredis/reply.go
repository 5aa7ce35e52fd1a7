package fastredis

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"

	"github.com/fastredis/fastredis/resp"
)

// Reply is a server reply in full, as Do returns it: RESP3-aware and owned
// by the caller (it copies everything out of the connection's buffer).
type Reply struct {
	// Type is the wire type (resp.SimpleString, resp.Integer, resp.Map, ...).
	Type resp.Type
	// Str holds the text of strings, errors, doubles and big numbers, and
	// the payload of verbatim strings (without their format).
	Str string
	// Int holds integers, and 1 or 0 for booleans.
	Int int64
	// Float holds doubles.
	Float float64
	// Big holds big numbers.
	Big *big.Int
	// Elems holds the elements of arrays, sets and pushes, and the keys and
	// values (alternating) of maps.
	Elems []Reply
	// Attrs holds the RESP3 attributes sent before the reply, if any, as
	// alternating keys and values.
	Attrs []Reply
}

// IsNull reports whether the reply is a null.
func (r Reply) IsNull() bool { return r.Type == resp.Null }

// newReply copies v into a Reply. Iteration is bounded by what the reader
// validated, so this cannot fail.
func newReply(v resp.Value) Reply {
	r := Reply{Type: v.Type()}
	switch {
	case v.Type().IsAggregate():
		r.Elems = make([]Reply, 0, v.Len()*elementsPerEntry(v.Type()))
		it := v.Iter()
		for it.Next() {
			r.Elems = append(r.Elems, newReply(it.Value()))
		}
	case v.Type() == resp.Integer || v.Type() == resp.Boolean:
		r.Int, _ = v.Int()
	case v.Type() == resp.Double:
		r.Float, _ = v.Float()
		r.Str = v.String()
	case v.Type() == resp.BigNumber:
		r.Str = v.String()
		r.Big, _ = new(big.Int).SetString(r.Str, 10)
	case v.Type() != resp.Null:
		r.Str = v.String()
	}
	if a, ok := v.Attrs(); ok {
		r.Attrs = newReply(a).Elems
	}
	return r
}

func elementsPerEntry(t resp.Type) int {
	if t == resp.Map || t == resp.Attribute {
		return 2
	}
	return 1
}

// Map returns a map reply (RESP3), or a flat array of key-value pairs (what
// RESP2 sends for HGETALL, CONFIG GET and the like), as a map of strings.
// Keys and values convert as Strings converts elements; a nested aggregate
// or an error element is an error naming it (read Elems for such replies).
func (r Reply) Map() (map[string]string, error) {
	switch r.Type {
	case resp.Map, resp.Array, resp.Set:
	default:
		return nil, fmt.Errorf("fastredis: a %v reply is not a map", r.Type)
	}
	if len(r.Elems)%2 != 0 {
		return nil, errors.New("fastredis: a reply with an odd number of elements is not a map")
	}
	m := make(map[string]string, len(r.Elems)/2)
	for i := 0; i < len(r.Elems); i += 2 {
		k, err := r.Elems[i].elementText(i)
		if err != nil {
			return nil, err
		}
		v, err := r.Elems[i+1].elementText(i + 1)
		if err != nil {
			return nil, err
		}
		m[k] = v
	}
	return m, nil
}

// Strings returns the elements of an array, set or push as strings: strings
// as they are, integers and doubles in decimal (as RESP2 would send them),
// booleans as "1" or "0", and a null as "". A nested aggregate or an error
// element is an error naming its index (read Elems for such replies).
func (r Reply) Strings() ([]string, error) {
	switch r.Type {
	case resp.Array, resp.Set, resp.Push:
	default:
		return nil, fmt.Errorf("fastredis: a %v reply is not a list", r.Type)
	}
	out := make([]string, len(r.Elems))
	for i, e := range r.Elems {
		var err error
		if out[i], err = e.elementText(i); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// elementText is the text of element i of an aggregate, for Strings and Map.
func (r Reply) elementText(i int) (string, error) {
	switch {
	case r.Type == resp.Integer:
		return strconv.FormatInt(r.Int, 10), nil
	case r.Type == resp.Boolean:
		if r.Int != 0 {
			return "1", nil
		}
		return "0", nil
	case r.Type == resp.SimpleError || r.Type == resp.BulkError:
		return "", fmt.Errorf("fastredis: element %d is an error reply: %s", i, r.Str)
	case r.Type.IsAggregate():
		return "", fmt.Errorf("fastredis: element %d is a nested %v, not a string", i, r.Type)
	}
	return r.Str, nil // strings, doubles and big numbers (as sent), null ("")
}
