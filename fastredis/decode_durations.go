package fastredis

import (
	"errors"
	"time"

	"github.com/fastredis/fastredis/resp"
)

// What TTL and PTTL return for a key without an expiry and for a missing
// key: the server's -1 and -2, as time.Duration values of -1ns and -2ns,
// the same values go-redis returns, so code that compares with them ports
// unchanged. A real TTL is never negative.
const (
	TTLNoExpiry time.Duration = -1
	TTLNoKey    time.Duration = -2
)

// ErrNoExpiry is the error of ExpireTime and PExpireTime for a key that
// exists but has no expiry (a missing key is Nil).
var ErrNoExpiry = errors.New("fastredis: the key has no expiry")

// decodeSeconds reads a count of seconds (TTL, OBJECT IDLETIME) as a
// time.Duration; the negative markers -1 and -2 stay -1ns and -2ns.
func decodeSeconds(v resp.Value) (time.Duration, error) { return decodeDuration(v, time.Second) }

// decodeMilliseconds reads a count of milliseconds (PTTL) as a
// time.Duration, the negative markers as decodeSeconds does.
func decodeMilliseconds(v resp.Value) (time.Duration, error) {
	return decodeDuration(v, time.Millisecond)
}

func decodeDuration(v resp.Value, unit time.Duration) (time.Duration, error) {
	if v.IsNull() {
		return 0, Nil
	}
	n, err := v.Int()
	if err != nil {
		return 0, err
	}
	if n < 0 {
		return time.Duration(n), nil
	}
	return time.Duration(n) * unit, nil
}

// decodeUnixSeconds reads a Unix time in seconds (EXPIRETIME): -2 (no key)
// is Nil and -1 (no expiry) ErrNoExpiry.
func decodeUnixSeconds(v resp.Value) (time.Time, error) { return decodeUnix(v, time.Second) }

// decodeUnixMilliseconds reads a Unix time in milliseconds (PEXPIRETIME),
// the markers as decodeUnixSeconds does.
func decodeUnixMilliseconds(v resp.Value) (time.Time, error) {
	return decodeUnix(v, time.Millisecond)
}

func decodeUnix(v resp.Value, unit time.Duration) (time.Time, error) {
	n, err := v.Int()
	switch {
	case err != nil:
		return time.Time{}, err
	case n == -2:
		return time.Time{}, Nil
	case n == -1:
		return time.Time{}, ErrNoExpiry
	case unit == time.Second:
		return time.Unix(n, 0), nil
	}
	return time.UnixMilli(n), nil
}
