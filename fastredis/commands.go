package fastredis

import "context"

// The methods in this file are written by hand ahead of the generated
// command set (internal/cmdgen), in the form it produces: required
// arguments as parameters, the result as a Go value, and an ...Append form
// for commands that return one string, which copies it into a caller's
// buffer instead of allocating.

// NullString is an element of a reply that may hold nulls, such as MGET's.
type NullString struct {
	Value string
	Valid bool // false for a null (a missing key)
}

// Get returns the value of key, or Nil if it does not exist.
func (c *Client) Get(ctx context.Context, key string) (string, error) {
	r := getResult(modeString, "GET")
	defer r.release()
	err := c.exec(ctx, c.newArgs("GET").key(key), r)
	return r.s, err
}

// GetAppend appends the value of key to dst and returns it; Nil if the key
// does not exist. It allocates nothing when dst has room.
func (c *Client) GetAppend(ctx context.Context, dst []byte, key string) ([]byte, error) {
	r := getResult(modeAppend, "GET")
	defer r.release()
	r.dst = dst
	err := c.exec(ctx, c.newArgs("GET").key(key), r)
	return r.dst, err
}

// Set sets key to value.
func (c *Client) Set(ctx context.Context, key, value string) error {
	r := getResult(modeStatus, "SET")
	defer r.release()
	return c.exec(ctx, c.newArgs("SET").key(key).str(value), r)
}

// SetBytes sets key to a binary value.
func (c *Client) SetBytes(ctx context.Context, key string, value []byte) error {
	r := getResult(modeStatus, "SET")
	defer r.release()
	return c.exec(ctx, c.newArgs("SET").key(key).bytes(value), r)
}

// Incr increments the integer value of key by one and returns the result.
func (c *Client) Incr(ctx context.Context, key string) (int64, error) {
	r := getResult(modeInt, "INCR")
	defer r.release()
	err := c.exec(ctx, c.newArgs("INCR").key(key), r)
	return r.i, err
}

// MGet returns the values of keys; a missing key's element is not Valid.
func (c *Client) MGet(ctx context.Context, keys ...string) ([]NullString, error) {
	r := getResult(modeNullStrings, "MGET")
	defer r.release()
	a := c.newArgs("MGET")
	for _, k := range keys {
		a.key(k)
	}
	err := c.exec(ctx, a, r)
	return r.nstrs, err
}

// HSet sets field to value in the hash at key and returns 1 if the field is
// new, 0 if it was updated.
func (c *Client) HSet(ctx context.Context, key, field, value string) (int64, error) {
	r := getResult(modeInt, "HSET")
	defer r.release()
	err := c.exec(ctx, c.newArgs("HSET").key(key).str(field).str(value), r)
	return r.i, err
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

// HGet returns the value of field in the hash at key, or Nil.
func (c *Client) HGet(ctx context.Context, key, field string) (string, error) {
	r := getResult(modeString, "HGET")
	defer r.release()
	err := c.exec(ctx, c.newArgs("HGET").key(key).str(field), r)
	return r.s, err
}

// HGetAppend appends the value of field in the hash at key to dst.
func (c *Client) HGetAppend(ctx context.Context, dst []byte, key, field string) ([]byte, error) {
	r := getResult(modeAppend, "HGET")
	defer r.release()
	r.dst = dst
	err := c.exec(ctx, c.newArgs("HGET").key(key).str(field), r)
	return r.dst, err
}

// HGetAll returns the hash at key as a map (empty if the key does not
// exist), from a RESP3 map or a RESP2 array of pairs alike.
func (c *Client) HGetAll(ctx context.Context, key string) (map[string]string, error) {
	r := getResult(modeStringMap, "HGETALL")
	defer r.release()
	err := c.exec(ctx, c.newArgs("HGETALL").key(key), r)
	return r.m, err
}
