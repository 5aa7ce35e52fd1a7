package fastredis

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/fastredis/fastredis/resp"
)

// The command methods of struct scanning, on Client and Pipeline (a Tx has
// the Client's).

var errNoFields = errors.New("no fields with a redis tag")

// HGetAllScan reads the hash at key (HGETALL) into the struct dst points to:
// each field tagged `redis:"name"` gets the hash's field name, converted to
// its type. Fields the hash lacks are left as they are, and hash fields no
// struct field names are ignored. If there is no hash at key (or it is
// empty) dst is untouched and the error is Nil.
func (c *Client) HGetAllScan(ctx context.Context, key string, dst any) error {
	sv, s, err := structValue(dst, false)
	if err != nil {
		return err
	}
	raw, err := c.execRaw(ctx, c.newArgs("HGETALL").key(key), "HGETALL")
	if err != nil {
		return err
	}
	defer raw.release()
	return s.scanPairs(sv, raw.v)
}

// HMGetScan reads into dst the fields of the hash at key that dst's struct
// type names in its tags (HMGET key name ...), so that a large hash costs
// only what the struct wants. Fields the hash lacks are left as they are;
// if it has none of them (or there is no hash) the error is Nil.
func (c *Client) HMGetScan(ctx context.Context, key string, dst any) error {
	sv, s, err := structValue(dst, false)
	if err != nil {
		return err
	}
	if len(s.fields) == 0 {
		return fmt.Errorf("fastredis: HMGetScan: %v has %v", s.typ, errNoFields)
	}
	a := c.newArgs("HMGET").key(key)
	for i := range s.fields {
		a.str(s.fields[i].name)
	}
	raw, err := c.execRaw(ctx, a, "HMGET")
	if err != nil {
		return err
	}
	defer raw.release()
	return s.scanList(sv, raw.v)
}

// MGetScan reads one string key per field of dst's struct type (MGET), the
// key of a field tagged `redis:"name"` being keyPrefix+name (after the
// client's KeyPrefix): for instance settings kept as cfg:host and cfg:port,
// with keyPrefix "cfg:". Missing keys leave their fields as they are; if
// every key is missing the error is Nil. (In a cluster the keys must share
// a hash slot: put a hash tag in keyPrefix, "{cfg}:".)
func (c *Client) MGetScan(ctx context.Context, keyPrefix string, dst any) error {
	sv, s, err := structValue(dst, false)
	if err != nil {
		return err
	}
	if len(s.fields) == 0 {
		return fmt.Errorf("fastredis: MGetScan: %v has %v", s.typ, errNoFields)
	}
	a := c.newArgs("MGET")
	for i := range s.fields {
		a.key2(keyPrefix, s.fields[i].name)
	}
	raw, err := c.execRaw(ctx, a, "MGET")
	if err != nil {
		return err
	}
	defer raw.release()
	return s.scanList(sv, raw.v)
}

// HSetStruct sets the fields of the hash at key from the struct src (or a
// pointer to it): each field tagged `redis:"name"` becomes the hash field
// name, formatted as HGetAllScan reads it back. Nil pointers are skipped, as
// are empty values of fields tagged omitempty (`redis:"note,omitempty"`).
// It returns how many fields were new, like HSET.
func (c *Client) HSetStruct(ctx context.Context, key string, src any) (int64, error) {
	sv, s, err := structValue(src, true)
	if err != nil {
		return 0, err
	}
	a := c.newArgs("HSET").key(key)
	if err := s.writeArgs(a, sv); err != nil {
		a.release()
		return 0, err
	}
	r := getResult(modeInt, "HSET")
	defer r.release()
	err = c.exec(ctx, a, r)
	return r.i, err
}

// HGetAllScan queues HGETALL; dst is filled when the Future is read (see
// Client.HGetAllScan).
func (p *Pipeline) HGetAllScan(key string, dst any) Future[OK] {
	sv, s, err := structValue(dst, false)
	if err != nil {
		return failed[OK](p, "HGETALL", err)
	}
	p.newArgs("HGETALL").key(key)
	return queuedRaw(p, "HGETALL", func(v resp.Value) (OK, error) { return OK{}, s.scanPairs(sv, v) })
}

// HMGetScan queues HMGET of dst's fields; dst is filled when the Future is
// read (see Client.HMGetScan).
func (p *Pipeline) HMGetScan(key string, dst any) Future[OK] {
	sv, s, err := structValue(dst, false)
	if err == nil && len(s.fields) == 0 {
		err = fmt.Errorf("fastredis: HMGetScan: %v has %v", s.typ, errNoFields)
	}
	if err != nil {
		return failed[OK](p, "HMGET", err)
	}
	a := p.newArgs("HMGET").key(key)
	for i := range s.fields {
		a.str(s.fields[i].name)
	}
	return queuedRaw(p, "HMGET", func(v resp.Value) (OK, error) { return OK{}, s.scanList(sv, v) })
}

// MGetScan queues MGET of dst's keys; dst is filled when the Future is read
// (see Client.MGetScan).
func (p *Pipeline) MGetScan(keyPrefix string, dst any) Future[OK] {
	sv, s, err := structValue(dst, false)
	if err == nil && len(s.fields) == 0 {
		err = fmt.Errorf("fastredis: MGetScan: %v has %v", s.typ, errNoFields)
	}
	if err != nil {
		return failed[OK](p, "MGET", err)
	}
	a := p.newArgs("MGET")
	for i := range s.fields {
		a.key2(keyPrefix, s.fields[i].name)
	}
	return queuedRaw(p, "MGET", func(v resp.Value) (OK, error) { return OK{}, s.scanList(sv, v) })
}

// HSetStruct queues HSET of src's fields; see Client.HSetStruct. src is
// read when the command is queued.
func (p *Pipeline) HSetStruct(key string, src any) Future[int64] {
	sv, s, err := structValue(src, true)
	if err != nil {
		return failed[int64](p, "HSET", err)
	}
	a := p.newArgs("HSET").key(key)
	if err := s.writeArgs(a, sv); err != nil {
		a.reset("")
		return failed[int64](p, "HSET", err)
	}
	return queued(p, modeInt, "HSET", getInt)
}

// scanPairs reads a hash (HGETALL): a map, or a flat array of field-value
// pairs (RESP2). An empty one is Nil.
func (s *structSpec) scanPairs(sv reflect.Value, v resp.Value) error {
	if !isArray(v) {
		return unexpected(v, "map")
	}
	if v.Len() == 0 {
		return Nil
	}
	it := v.Iter()
	for it.Next() {
		name := it.Value()
		if !it.Next() {
			return unexpected(v, "field-value pairs")
		}
		if val := it.Value(); !val.IsNull() {
			if err := s.set(sv, name.Bytes(), val.Bytes()); err != nil {
				return err
			}
		}
	}
	return nil
}

// scanList reads the values of s's fields in order (HMGET, MGET). Nulls
// are skipped; all nulls is Nil.
func (s *structSpec) scanList(sv reflect.Value, v resp.Value) error {
	if !isArray(v) || v.Len() != len(s.fields) {
		return unexpected(v, fmt.Sprintf("array of %d values", len(s.fields)))
	}
	found := false
	it := v.Iter()
	for i := 0; it.Next(); i++ {
		if val := it.Value(); !val.IsNull() {
			found = true
			if err := s.fields[i].set(sv, val.Bytes()); err != nil {
				return err
			}
		}
	}
	if !found {
		return Nil
	}
	return nil
}

// writeArgs appends the name and value of each field of sv to be written.
func (s *structSpec) writeArgs(a *argBuf, sv reflect.Value) error {
	n := 0
	for i := range s.fields {
		f := &s.fields[i]
		v, ok := f.get(sv)
		if !ok || f.omit(v) {
			continue
		}
		a.str(f.name)
		start := len(a.b)
		var err error
		if a.b, err = f.enc(a.b, v); err != nil {
			return fieldErr(f, err)
		}
		a.bulkAt(start)
		n++
	}
	if n == 0 {
		return fmt.Errorf("fastredis: HSetStruct: %v has no field to write", s.typ)
	}
	return nil
}

// bulkAt turns the bytes appended to a.b since start into one bulk-string
// argument, by moving them up to make room for the header: the encoders
// append their text directly, so that nothing is allocated for it.
func (a *argBuf) bulkAt(start int) {
	n := len(a.b) - start
	var hdr [24]byte
	h := appendDecimal(append(hdr[:0], '$'), n)
	h = append(h, '\r', '\n')
	a.b = append(a.b, h...)
	copy(a.b[start+len(h):], a.b[start:start+n])
	copy(a.b[start:], h)
	a.b = append(a.b, '\r', '\n')
	a.n++
}

// key2 appends the key k1+k2, with the client's prefix, without joining
// them first.
func (a *argBuf) key2(k1, k2 string) *argBuf {
	a.b = append(a.b, '$')
	a.b = appendDecimal(a.b, len(a.prefix)+len(k1)+len(k2))
	a.b = append(a.b, '\r', '\n')
	a.b = append(a.b, a.prefix...)
	a.b = append(a.b, k1...)
	a.b = append(a.b, k2...)
	a.b = append(a.b, '\r', '\n')
	a.n++
	return a
}
