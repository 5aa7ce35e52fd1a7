package fastredis

import (
	"errors"
	"fmt"
	"sort"

	"github.com/fastredis/fastredis/resp"
)

// appendArgs encodes a command given as loosely typed arguments, flattening
// slices and maps, as one RESP array of bulk strings.
func appendArgs(dst []byte, args []any) ([]byte, error) {
	argv, err := flattenArgs(args)
	if err != nil {
		return dst, err
	}
	return encodeArgv(dst, argv, "", nil), nil
}

// flattenArgs turns loosely typed arguments into the command's argv.
func flattenArgs(args []any) ([][]byte, error) {
	if len(args) == 0 {
		return nil, errors.New("fastredis: a command needs a name")
	}
	n, err := countArgs(args)
	if err != nil {
		return nil, err
	}
	// Encode once, then cut the bulk strings back out: one buffer for all.
	enc := appendFlat(make([]byte, 0, 16*n), args)
	argv := make([][]byte, 0, n)
	for len(enc) > 0 {
		i := 1
		size := 0
		for enc[i] != '\r' {
			size = size*10 + int(enc[i]-'0')
			i++
		}
		start := i + 2
		argv = append(argv, enc[start:start+size:start+size])
		enc = enc[start+size+2:]
	}
	return argv, nil
}

// encodeArgv writes argv as a RESP array, putting prefix before the
// arguments at positions (ascending).
func encodeArgv(dst []byte, argv [][]byte, prefix string, positions []int) []byte {
	dst = resp.AppendArrayHeader(dst, len(argv))
	for i, a := range argv {
		if len(positions) > 0 && positions[0] == i {
			positions = positions[1:]
			dst = appendPrefixedBulk(dst, prefix, a)
			continue
		}
		dst = resp.AppendBulk(dst, a)
	}
	return dst
}

// countArgs returns how many bulk strings args flatten to, or an error
// naming the first argument of an unsupported type.
func countArgs(args []any) (int, error) {
	n := 0
	for i, a := range args {
		switch a := a.(type) {
		case string, []byte, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64, bool:
			n++
		case []string:
			n += len(a)
		case [][]byte:
			n += len(a)
		case []int64:
			n += len(a)
		case []float64:
			n += len(a)
		case map[string]string:
			n += 2 * len(a)
		case map[string]any:
			for _, v := range a {
				m, err := countArgs([]any{v})
				if err != nil {
					return 0, err
				}
				if m != 1 {
					return 0, fmt.Errorf("fastredis: argument %d: map values must be single arguments", i)
				}
			}
			n += 2 * len(a)
		case []any:
			m, err := countArgs(a)
			if err != nil {
				return 0, err
			}
			n += m
		default:
			return 0, fmt.Errorf("fastredis: argument %d has unsupported type %T", i, a)
		}
	}
	return n, nil
}

func appendFlat(dst []byte, args []any) []byte {
	for _, a := range args {
		switch a := a.(type) {
		case string:
			dst = resp.AppendBulkString(dst, a)
		case []byte:
			dst = resp.AppendBulk(dst, a)
		case int:
			dst = resp.AppendBulkInt(dst, int64(a))
		case int8:
			dst = resp.AppendBulkInt(dst, int64(a))
		case int16:
			dst = resp.AppendBulkInt(dst, int64(a))
		case int32:
			dst = resp.AppendBulkInt(dst, int64(a))
		case int64:
			dst = resp.AppendBulkInt(dst, a)
		case uint:
			dst = resp.AppendBulkUint(dst, uint64(a))
		case uint8:
			dst = resp.AppendBulkUint(dst, uint64(a))
		case uint16:
			dst = resp.AppendBulkUint(dst, uint64(a))
		case uint32:
			dst = resp.AppendBulkUint(dst, uint64(a))
		case uint64:
			dst = resp.AppendBulkUint(dst, a)
		case float32:
			dst = resp.AppendBulkFloat(dst, float64(a))
		case float64:
			dst = resp.AppendBulkFloat(dst, a)
		case bool:
			dst = resp.AppendBulkBool(dst, a)
		case []string:
			for _, s := range a {
				dst = resp.AppendBulkString(dst, s)
			}
		case [][]byte:
			for _, b := range a {
				dst = resp.AppendBulk(dst, b)
			}
		case []int64:
			for _, v := range a {
				dst = resp.AppendBulkInt(dst, v)
			}
		case []float64:
			for _, v := range a {
				dst = resp.AppendBulkFloat(dst, v)
			}
		case map[string]string:
			// Sorted, so the same map always encodes the same way.
			keys := make([]string, 0, len(a))
			for k := range a {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				dst = resp.AppendBulkString(dst, k)
				dst = resp.AppendBulkString(dst, a[k])
			}
		case map[string]any:
			keys := make([]string, 0, len(a))
			for k := range a {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				dst = resp.AppendBulkString(dst, k)
				dst = appendFlat(dst, []any{a[k]})
			}
		case []any:
			dst = appendFlat(dst, a)
		}
	}
	return dst
}
