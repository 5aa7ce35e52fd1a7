package fastredis

import (
	"fmt"
	"unsafe"
)

// The struct scanning API (struct_spec.go has the rules of the tags,
// struct_conv.go the conversions):
//
//	type User struct {
//		Name    string    `redis:"name"`
//		Age     int       `redis:"age"`
//		Created time.Time `redis:"created"`
//		Note    string    `redis:"note,omitempty"`
//	}
//	_, err := client.HSetStruct(ctx, "user:1", &u)
//	err = client.HGetAllScan(ctx, "user:1", &u) // Nil if there is no such hash
//	err = client.HMGetScan(ctx, "user:1", &u)   // asks for the tagged fields only
//	err = client.MGetScan(ctx, "cfg:", &cfg)    // keys cfg:<tag>, one per field
//	err = msg.Scan(&event)                       // an XMessage of XRANGE, XREAD, ...
//
// A value that does not convert stops the scan with an error naming the
// field (fields set before it keep their new values); a struct type with a
// field that cannot be scanned at all is refused before anything is sent.
//
// The command methods read the reply in place, with no map or slice in
// between; the Scan functions convert results already returned (a
// Future's, HGetAll's map, MGet's slice). Pipelines have the same methods;
// their dst is filled when the Future is read (Result, Err or Val), since
// decoding runs user code (UnmarshalText) that must not run while the
// replies are being read from the connection.

// ScanMap sets the fields of the struct dst points to from m, such as
// HGetAll's result or a Future's: each field tagged `redis:"name"` gets
// m["name"], converted to its type; fields m lacks are left as they are.
func ScanMap(dst any, m map[string]string) error {
	sv, s, err := structValue(dst, false)
	if err != nil {
		return err
	}
	for i := range s.fields {
		f := &s.fields[i]
		if v, ok := m[f.name]; ok {
			if err := f.set(sv, bytesOf(v)); err != nil {
				return err
			}
		}
	}
	return nil
}

// ScanFieldValues sets the fields of the struct dst points to from fields
// and values, such as a stream entry's (XMessage.Fields),
// HRandFieldWithValues's result, or a ClientInfo. A name that appears
// twice sets its field twice: the last value stays.
func ScanFieldValues(dst any, fields []FieldValue) error {
	sv, s, err := structValue(dst, false)
	if err != nil {
		return err
	}
	for _, fv := range fields {
		if err := s.set(sv, bytesOf(fv.Field), bytesOf(fv.Value)); err != nil {
			return err
		}
	}
	return nil
}

// ScanValues sets the fields of the struct dst points to from the reply of
// HMGet or MGet, given the names the values are for (the fields, or the
// keys, asked for): values[i] goes to the field tagged names[i]. Null
// values leave their fields as they are.
func ScanValues(dst any, names []string, values []NullString) error {
	if len(names) != len(values) {
		return fmt.Errorf("fastredis: ScanValues: %d names for %d values", len(names), len(values))
	}
	sv, s, err := structValue(dst, false)
	if err != nil {
		return err
	}
	for i, v := range values {
		if v.Valid {
			if err := s.set(sv, bytesOf(names[i]), bytesOf(v.Value)); err != nil {
				return err
			}
		}
	}
	return nil
}

// Scan sets the fields of the struct dst points to from the message's
// fields (see ScanFieldValues). The ID is m.ID. A message deleted while
// pending has no fields and leaves dst as it is.
func (m XMessage) Scan(dst any) error { return ScanFieldValues(dst, m.Fields) }

// StructFields returns the fields of the struct src (or a pointer to it) as
// HSetStruct writes them, for the commands that take field-value pairs
// (a []FieldValue flattens into them): HSet, HMSet, and XAdd, whose entries
// XMessage.Scan reads back.
func StructFields(src any) ([]FieldValue, error) {
	sv, s, err := structValue(src, true)
	if err != nil {
		return nil, err
	}
	// Every value goes into one string, which the FieldValues share.
	var buf []byte
	ends := make([]int, 0, len(s.fields))
	out := make([]FieldValue, 0, len(s.fields))
	for i := range s.fields {
		f := &s.fields[i]
		v, ok := f.get(sv)
		if !ok || f.omit(v) {
			continue
		}
		if buf, err = f.enc(buf, v); err != nil {
			return nil, fieldErr(f, err)
		}
		out = append(out, FieldValue{Field: f.name})
		ends = append(ends, len(buf))
	}
	all := unsafe.String(unsafe.SliceData(buf), len(buf)) // buf is never written again
	start := 0
	for i := range out {
		out[i].Value = all[start:ends[i]]
		start = ends[i]
	}
	return out, nil
}

// bytesOf views s as bytes, for the decoders, which only read them.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
