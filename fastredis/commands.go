package fastredis

import "context"

// The typed command methods are generated (commands_*_gen.go, see gen.go).
// The methods in this file are written by hand: convenience forms the
// specs do not describe.

// NullString is an element of a reply that may hold nulls, such as MGET's.
type NullString struct {
	Value string
	Valid bool // false for a null (a missing key)
}

// SetBytes sets key to a binary value.
//
// Deprecated: Set takes a []byte value as it is, without a copy, and takes
// options too.
func (c *Client) SetBytes(ctx context.Context, key string, value []byte) error {
	r := getResult(modeStatus, "SET")
	defer r.release()
	return c.exec(ctx, c.newArgs("SET").key(key).bytes(value), r)
}

// HSetMap sets every field of m in the hash at key and returns how many
// fields were new.
func (c *Client) HSetMap(ctx context.Context, key string, m map[string]string) (int64, error) {
	r := getResult(modeInt, "HSET")
	defer r.release()
	a := c.newArgs("HSET").key(key)
	for f, v := range m {
		a.str(f).str(v)
	}
	err := c.exec(ctx, a, r)
	return r.i, err
}

// SetBytes queues SET of a binary value; see Client.SetBytes.
func (p *Pipeline) SetBytes(key string, value []byte) Future[OK] {
	p.newArgs("SET").key(key).bytes(value)
	return queued(p, modeStatus, "SET", getOK)
}

// HSetMap queues HSET of every field of m; see Client.HSetMap.
func (p *Pipeline) HSetMap(key string, m map[string]string) Future[int64] {
	a := p.newArgs("HSET").key(key)
	for f, v := range m {
		a.str(f).str(v)
	}
	return queued(p, modeInt, "HSET", getInt)
}
