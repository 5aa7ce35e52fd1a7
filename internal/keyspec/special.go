package keyspec

// getKeysProc names a Go port of one of Redis' get-keys functions, used where
// the key specs cannot find the keys: a spec with an unknown begin_search or
// find_keys (SORT, SORT_RO) or flagged INCOMPLETE (MIGRATE). Redis does the
// same in getKeysFromCommandWithSpecs. The other get_keys_function entries of
// the specs are not needed: their commands' specs are complete (the functions
// exist for older Redis code paths, or for VARIABLE_FLAGS, which changes the
// key flags of SET and BITFIELD but not their positions).
type getKeysProc uint8

const (
	procNone getKeysProc = iota
	procSort
	procSortRO
	procMigrate
)

// procs maps a spec's get_keys_function to its port.
var procs = map[string]getKeysProc{
	"sortGetKeys":    procSort,
	"sortROGetKeys":  procSortRO,
	"migrateGetKeys": procMigrate,
}

// procKeys appends the key positions found by the ported get-keys function.
func procKeys[T Arg](p getKeysProc, dst []int, argv []T) []int {
	switch p {
	case procSort, procSortRO:
		if len(argv) < 2 {
			return dst
		}
		dst = append(dst, 1)
		_, store := scanSort(nil, argv, p == procSortRO, false)
		if store > 0 {
			dst = append(dst, store)
		}
	case procMigrate:
		dst = migrateKeys(dst, argv)
	}
	return dst
}

// procPatterns appends the positions of arguments that are not keys but take
// the key prefix: SORT's BY and GET patterns.
func procPatterns[T Arg](p getKeysProc, dst []int, argv []T) []int {
	if p == procSort || p == procSortRO {
		dst, _ = scanSort(dst, argv, p == procSortRO, true)
	}
	return dst
}

// scanSort walks the options of SORT key [BY pattern] [LIMIT offset count]
// [GET pattern ...] [ASC|DESC] [ALPHA] [STORE destination] the way the server
// parses them (sortCommandGeneric in src/sort.c), so that what is reported is
// what the server will use:
//
//   - the destination of the last STORE (SORT only; SORT_RO rejects STORE),
//     returned as store (0 if none);
//   - with patterns, every BY pattern and every GET pattern except "#" (which
//     means the element itself), appended to dst in order.
//
// An option the server would reject (an unknown word, LIMIT without two
// arguments, ...) ends the walk: the server fails the whole command, so what
// follows does not matter. The server also rejects BY with a '*' pattern and
// GET in cluster mode; that is not this package's business.
//
// Redis' own key extraction for SORT (sortGetKeys) is a simpler scan that
// agrees on the STORE destination except in contrived commands where the
// destination is itself named BY, GET or LIMIT and another STORE follows
// ("SORT k STORE by STORE d": sortGetKeys says "by", the server writes "d").
// Following the server keeps a prefixed client inside its namespace.
func scanSort[T Arg](dst []int, argv []T, readonly, patterns bool) ([]int, int) {
	store := 0
	argc := len(argv)
	for j := 2; j < argc; j++ {
		left := argc - j - 1
		a := argv[j]
		switch {
		case equalFold(a, "ASC"), equalFold(a, "DESC"), equalFold(a, "ALPHA"):
		case equalFold(a, "LIMIT") && left >= 2:
			j += 2
		case !readonly && equalFold(a, "STORE") && left >= 1:
			j++
			store = j
		case equalFold(a, "BY") && left >= 1:
			j++
			if patterns {
				dst = append(dst, j)
			}
		case equalFold(a, "GET") && left >= 1:
			j++
			if patterns && !(len(argv[j]) == 1 && argv[j][0] == '#') {
				dst = append(dst, j)
			}
		default:
			return dst, store
		}
	}
	return dst, store
}

// migrateKeys is Redis' migrateGetKeys: MIGRATE host port key|"" db timeout
// [COPY] [REPLACE] [AUTH password | AUTH2 username password] [KEYS key ...].
// Without KEYS the key is argv[3]. With KEYS (looked for from argv[6],
// skipping the arguments of AUTH and AUTH2, so a password "KEYS" is not taken
// for the keyword) the keys are the arguments after it, and argv[3] must be
// the empty string; if it is not, Redis reports no keys (the server rejects
// the command).
func migrateKeys[T Arg](dst []int, argv []T) []int {
	argc := len(argv)
	if argc < 4 {
		return dst
	}
	first, num := 3, 1
	if argc > 6 {
	scan:
		for i := 6; i < argc; i++ {
			a := argv[i]
			switch {
			case equalFold(a, "KEYS"):
				if len(argv[3]) > 0 {
					return dst
				}
				first, num = i+1, argc-(i+1)
				break scan
			case equalFold(a, "AUTH"):
				i++
			case equalFold(a, "AUTH2"):
				i += 2
			}
		}
	}
	for p := first; p < first+num && p < argc; p++ {
		dst = append(dst, p)
	}
	return dst
}
