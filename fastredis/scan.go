package fastredis

import (
	"context"
	"fmt"
	"iter"
	"strconv"
)

// The scan iterators walk a whole keyspace, hash, set or sorted set with
// SCAN, HSCAN, SSCAN or ZSCAN, one cursor step (one round trip) at a time,
// for use with range:
//
//	for key, err := range client.ScanIter(ctx, &fastredis.ScanOptions{Match: "user:*", Count: 1000}) {
//		if err != nil { return err }
//		...
//	}
//
// As the commands guarantee, an element present for the whole iteration is
// returned at least once (possibly more than once); one added or removed
// meanwhile may or may not be. Breaking out of the loop stops at once: no
// further command is sent. An error comes out as the second value, once,
// and ends the iteration. Strings are binary-safe. To pause and resume, pull
// from the iterator with iter.Pull2.
//
// A MATCH pattern is sent as given: the client's KeyPrefix, which ScanIter's
// keys carry, is not added to it (as for KEYS).

// ScanIter iterates over the keys of the current database (SCAN), filtered
// by opts (MATCH, COUNT, TYPE; leave them out for none).
func (c *Client) ScanIter(ctx context.Context, opts ...ScanOptions) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		scanSteps(func(cursor int64) (ScanResult, error) { return c.Scan(ctx, cursor, opts...) },
			func(elems []string) bool {
				for _, k := range elems {
					if !yield(k, nil) {
						return false
					}
				}
				return true
			},
			func(err error) { yield("", err) })
	}
}

// SScanIter iterates over the members of the set at key (SSCAN).
func (c *Client) SScanIter(ctx context.Context, key string, opts ...SScanOptions) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		scanSteps(func(cursor int64) (ScanResult, error) { return c.SScan(ctx, key, cursor, opts...) },
			func(elems []string) bool {
				for _, m := range elems {
					if !yield(m, nil) {
						return false
					}
				}
				return true
			},
			func(err error) { yield("", err) })
	}
}

// HScanIter iterates over the fields and values of the hash at key (HSCAN).
func (c *Client) HScanIter(ctx context.Context, key string, opts ...HScanOptions) iter.Seq2[FieldValue, error] {
	return func(yield func(FieldValue, error) bool) {
		scanSteps(func(cursor int64) (ScanResult, error) { return c.HScan(ctx, key, cursor, opts...) },
			func(elems []string) bool {
				for i := 0; i+1 < len(elems); i += 2 {
					if !yield(FieldValue{Field: elems[i], Value: elems[i+1]}, nil) {
						return false
					}
				}
				return true
			},
			func(err error) { yield(FieldValue{}, err) })
	}
}

// ZScanIter iterates over the members and scores of the sorted set at key
// (ZSCAN).
func (c *Client) ZScanIter(ctx context.Context, key string, opts ...ZScanOptions) iter.Seq2[ZMember, error] {
	return func(yield func(ZMember, error) bool) {
		var bad error
		scanSteps(func(cursor int64) (ScanResult, error) { return c.ZScan(ctx, key, cursor, opts...) },
			func(elems []string) bool {
				for i := 0; i+1 < len(elems); i += 2 {
					score, err := strconv.ParseFloat(elems[i+1], 64)
					if err != nil {
						bad = err
						return false
					}
					if !yield(ZMember{Member: elems[i], Score: score}, nil) {
						return false
					}
				}
				return true
			},
			func(err error) { yield(ZMember{}, err) })
		if bad != nil {
			yield(ZMember{}, fmt.Errorf("fastredis: ZSCAN replied with a score that is not a number: %w", bad))
		}
	}
}

// scanSteps runs a cursor loop: step fetches one batch, each hands its
// elements on (false to stop), fail reports an error.
func scanSteps(step func(cursor int64) (ScanResult, error), each func([]string) bool, fail func(error)) {
	var cursor int64
	for {
		r, err := step(cursor)
		if err != nil {
			fail(err)
			return
		}
		if !each(r.Elements) {
			return
		}
		if r.Cursor == 0 {
			return
		}
		cursor = r.Cursor
	}
}
