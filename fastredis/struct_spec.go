package fastredis

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// Struct scanning maps the fields of a hash, of a stream entry, or of keys
// read with MGET onto the fields of a Go struct by their `redis:"name"`
// tags, and back (HSetStruct, StructFields). The rules follow go-redis's,
// so that its structs work unchanged, and go a little further (embedded
// structs, which go-redis skips; errors where go-redis would panic):
//
//   - Only fields with a redis tag take part; `redis:"-"` and untagged
//     fields are left alone (`redis:"-,"` names a field "-"). A tag's
//     options follow a comma; the one defined is omitempty (for writing).
//     A tagged field must be exported.
//   - An untagged embedded struct, or pointer to one, lends its fields as if
//     they were the outer struct's; a shallower field hides a deeper one of
//     the same name, and two of the same name at one depth are an error.
//   - A pointer field is allocated when a value arrives for it, and skipped
//     when written if nil.
//   - Reading leaves a field untouched when its name is absent from the
//     reply or its value is a null, and ignores names no field has.
//
// Each struct type is examined once: its fields, with a decoder and an
// encoder picked for each field's type, are cached in specs. Scanning then
// costs no reflection beyond reaching the fields, and allocates only what
// the fields hold (a string, a []byte). The generated command methods never
// come here: their hot path stays reflection-free.

// structSpec is what scanning needs to know about one struct type.
type structSpec struct {
	typ    reflect.Type
	fields []structField           // in declaration order, embedded fields in place
	byName map[string]*structField // by redis name
	// decErr and encErr are set when some field cannot be read or written:
	// an unsupported type, an unexported tagged field, a name conflict.
	decErr, encErr error
}

// structField is one tagged field of a struct type.
type structField struct {
	name      string // the redis name, from the tag
	goName    string // for errors: "Age", or "Meta.Created" through an embedded struct
	typ       reflect.Type
	index     []int // as for reflect.Value.FieldByIndex
	omitEmpty bool
	dec       decodeFunc
	enc       encodeFunc
}

var specs sync.Map // reflect.Type -> *structSpec

// specOf returns the cached spec of the struct type t.
func specOf(t reflect.Type) *structSpec {
	if s, ok := specs.Load(t); ok {
		return s.(*structSpec)
	}
	s, _ := specs.LoadOrStore(t, newStructSpec(t))
	return s.(*structSpec)
}

// candidate is a tagged field found while walking a struct and the structs
// it embeds.
type candidate struct {
	structField
	depth int
	bad   string // why the field cannot be used at all, if it cannot
}

func newStructSpec(t reflect.Type) *structSpec {
	var found []candidate
	collectFields(t, nil, "", 0, &found, map[reflect.Type]bool{t: true})

	s := &structSpec{typ: t, byName: make(map[string]*structField, len(found))}
	// A shallower field hides deeper ones of its name; two at the same
	// depth are ambiguous.
	shallowest := make(map[string]int, len(found))
	for _, c := range found {
		if d, ok := shallowest[c.name]; !ok || c.depth < d {
			shallowest[c.name] = c.depth
		}
	}
	seen := make(map[string]string, len(found))
	for _, c := range found {
		if c.depth != shallowest[c.name] {
			continue
		}
		if other, dup := seen[c.name]; dup {
			err := fmt.Errorf("fastredis: struct %v: fields %s and %s are both named %q", t, other, c.goName, c.name)
			s.decErr, s.encErr = first(s.decErr, err), first(s.encErr, err)
			continue
		}
		seen[c.name] = c.goName
		if c.bad != "" {
			err := fmt.Errorf("fastredis: struct %v: field %s %s", t, c.goName, c.bad)
			s.decErr, s.encErr = first(s.decErr, err), first(s.encErr, err)
			continue
		}
		f := c.structField
		var decErr, encErr error
		f.dec, decErr = decoderFor(f.typ)
		f.enc, encErr = encoderFor(f.typ)
		if decErr != nil {
			s.decErr = first(s.decErr, fieldErr(&f, decErr))
		}
		if encErr != nil {
			s.encErr = first(s.encErr, fieldErr(&f, encErr))
		}
		s.fields = append(s.fields, f)
	}
	for i := range s.fields {
		s.byName[s.fields[i].name] = &s.fields[i]
	}
	return s
}

func first(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// collectFields appends the tagged fields of struct type t, reached through
// index, and walks into its untagged embedded structs. visiting guards
// against a type embedding itself through a pointer.
func collectFields(t reflect.Type, index []int, path string, depth int, found *[]candidate, visiting map[reflect.Type]bool) {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag, tagged := sf.Tag.Lookup("redis")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",") // "-," names a field "-"
		idx := append(index[:len(index):len(index)], i)
		goName := path + sf.Name
		if sf.Anonymous && name == "" {
			et := sf.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() != reflect.Struct || visiting[et] {
				continue
			}
			if !sf.IsExported() && sf.Type.Kind() == reflect.Pointer {
				// reflect cannot allocate it, nor be trusted to read through it.
				if hasTags(et, map[reflect.Type]bool{}) {
					*found = append(*found, candidate{
						structField: structField{name: "\x00embedded " + goName, goName: goName},
						depth:       depth,
						bad:         "is an embedded pointer to an unexported struct type, which cannot be allocated",
					})
				}
				continue
			}
			visiting[et] = true
			collectFields(et, idx, goName+".", depth+1, found, visiting)
			delete(visiting, et)
			continue
		}
		if !tagged || name == "" {
			continue
		}
		c := candidate{
			structField: structField{
				name:      name,
				goName:    goName,
				typ:       sf.Type,
				index:     idx,
				omitEmpty: hasOption(opts, "omitempty"),
			},
			depth: depth,
		}
		if !sf.IsExported() {
			c.bad = "has a redis tag but is not exported"
		}
		*found = append(*found, c)
	}
}

// hasTags reports whether struct type t has a field with a redis tag, at
// any depth of embedding; seen guards against types embedding each other.
func hasTags(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if tag, ok := sf.Tag.Lookup("redis"); ok && tag != "-" {
			return true
		}
		et := sf.Type
		if et.Kind() == reflect.Pointer {
			et = et.Elem()
		}
		if sf.Anonymous && et.Kind() == reflect.Struct && hasTags(et, seen) {
			return true
		}
	}
	return false
}

func hasOption(opts, want string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == want {
			return true
		}
	}
	return false
}

// fieldErr wraps err, a field's failure, naming the field and its type:
//
//	fastredis: field Age (int): strconv.ParseInt: parsing "x": invalid syntax
func fieldErr(f *structField, err error) error {
	return fmt.Errorf("fastredis: field %s (%v): %w", f.goName, f.typ, err)
}

// structValue returns the struct dst points to, and its spec.
func structValue(dst any, forWriting bool) (reflect.Value, *structSpec, error) {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.Type().Elem().Kind() != reflect.Struct {
		if forWriting && v.Kind() == reflect.Struct {
			// A struct passed by value: copy it somewhere addressable, so
			// that methods with pointer receivers (MarshalText) can be used.
			p := reflect.New(v.Type())
			p.Elem().Set(v)
			v = p
		} else {
			return reflect.Value{}, nil, fmt.Errorf("fastredis: %T is not a pointer to a struct", dst)
		}
	}
	if v.IsNil() {
		return reflect.Value{}, nil, fmt.Errorf("fastredis: %T is nil", dst)
	}
	v = v.Elem()
	s := specOf(v.Type())
	if err := s.decErr; !forWriting && err != nil {
		return reflect.Value{}, nil, err
	}
	if err := s.encErr; forWriting && err != nil {
		return reflect.Value{}, nil, err
	}
	return v, s, nil
}

// set decodes value into the field named name of sv, a struct of s's type.
// A name no field has is ignored.
func (s *structSpec) set(sv reflect.Value, name, value []byte) error {
	f, ok := s.byName[string(name)]
	if !ok {
		return nil
	}
	return f.set(sv, value)
}

// set decodes value into f of the struct sv, allocating the embedded
// structs and the pointer it goes through.
func (f *structField) set(sv reflect.Value, value []byte) error {
	v := sv
	for n, i := range f.index {
		if n > 0 {
			if v.Kind() == reflect.Pointer {
				if v.IsNil() {
					v.Set(reflect.New(v.Type().Elem()))
				}
				v = v.Elem()
			}
		}
		v = v.Field(i)
	}
	if err := f.dec(v, value); err != nil {
		return fieldErr(f, err)
	}
	return nil
}

// get returns f of the struct sv, or false if an embedded pointer on the
// way is nil (its fields are not written).
func (f *structField) get(sv reflect.Value) (reflect.Value, bool) {
	v := sv
	for n, i := range f.index {
		if n > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return v, false
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	return v, true
}

// omit reports whether the field's value v is not written: a nil pointer,
// or with omitempty an empty value (false, 0, "", an empty slice or map, a
// zero time.Time or struct).
func (f *structField) omit(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return v.IsNil()
	case reflect.Slice, reflect.Map:
		return f.omitEmpty && v.Len() == 0
	}
	return f.omitEmpty && v.IsZero()
}
