package keyspec

// What a search collects.
type mode uint8

const (
	modeKeys     mode = iota // keys only (COMMAND GETKEYS)
	modeSlot                 // keys and NOT_KEY positions (shard channels)
	modePrefix               // keys and SORT patterns, ascending, unique
	modePatterns             // SORT patterns only
)

// AppendKeyPositions appends to dst the indices in argv of the keys of the
// command argv invokes (argv[0] is the command name, any case; for a
// container such as OBJECT or XINFO, argv[1] is the subcommand) and returns
// the extended slice. Positions are in the order Redis reports them
// (COMMAND GETKEYS): key spec by key spec, e.g. ZUNIONSTORE's destination,
// then its sources. Shard channels (NOT_KEY) and SORT patterns are not keys.
//
// A command with keys but none in this argv (EVAL script 0) appends nothing
// and returns no error. On an error (see the package documentation) it returns
// dst unchanged. It allocates nothing when dst has room for the positions.
func AppendKeyPositions[T Arg](dst []int, argv []T) ([]int, error) {
	return appendPositions(dst, argv, modeKeys)
}

// AppendSlotPositions is AppendKeyPositions plus the arguments that are not
// keys but are hashed to a slot like keys: the shard channels of SPUBLISH,
// SSUBSCRIBE and SUNSUBSCRIBE (key specs flagged NOT_KEY). This is what a
// cluster client routes by; like Redis' cluster code, it never includes SORT's
// BY/GET patterns.
func AppendSlotPositions[T Arg](dst []int, argv []T) ([]int, error) {
	return appendPositions(dst, argv, modeSlot)
}

// AppendPrefixPositions appends the indices of the arguments a key prefix
// applies to: the keys (as AppendKeyPositions) and, for SORT and SORT_RO, the
// BY and GET patterns (not GET #), which name keys to look up. The appended
// positions are ascending and unique, so each argument is prefixed once.
// Shard channels are not keys and are not included; KEYS and SCAN MATCH
// patterns have no key specs and are not included either.
func AppendPrefixPositions[T Arg](dst []int, argv []T) ([]int, error) {
	return appendPositions(dst, argv, modePrefix)
}

// AppendPatternPositions appends the indices of SORT / SORT_RO BY and GET
// patterns (except GET #), ascending: arguments that take a key prefix but are
// not keys, so cluster routing must ignore them. For every other command it
// appends nothing. Its only errors are ErrUnknownCommand and ErrWrongArity.
func AppendPatternPositions[T Arg](dst []int, argv []T) ([]int, error) {
	return appendPositions(dst, argv, modePatterns)
}

func appendPositions[T Arg](dst []int, argv []T, m mode) ([]int, error) {
	base := len(dst)
	e, err := lookup(argv)
	if err != nil {
		return dst, err
	}
	c := e.cmd
	if !c.ArityOK(len(argv)) {
		return dst, ErrWrongArity
	}
	if m != modePatterns {
		var st status
		dst, st = appendSpecKeys(dst, c, argv, m == modeSlot)
		switch st {
		case statusOK:
		case statusInvalid:
			return dst[:base], ErrInvalidKeyArgs
		case statusFallback:
			// Like Redis: the specs' result is dropped and the command's
			// own get-keys function decides.
			dst = dst[:base]
			if e.proc == procNone {
				return dst, ErrIncompleteKeySpec
			}
			dst = procKeys(e.proc, dst, argv)
		}
	}
	if m == modePrefix || m == modePatterns {
		dst = procPatterns(e.proc, dst, argv)
	}
	if m == modePrefix {
		dst = sortUnique(dst, base)
	}
	return dst, nil
}

// status is the outcome of running the key specs.
type status uint8

const (
	statusOK       status = iota
	statusInvalid         // a spec does not fit argv: syntax error
	statusFallback        // an unknown or INCOMPLETE spec: use the get-keys function
)

// appendSpecKeys is Redis' getKeysUsingKeySpecs (src/db.c, 7.2) in Go, with
// two differences where Redis declares a spec invalid although the server
// accepts the command:
//
//   - a key count of 0 (EVAL script 0) ends the search with no keys and no
//     error. (Redis falls back to the get-keys function, which for every
//     keynum command of 7.2 returns no keys at all when the count is below 1,
//     so the result is the same.)
//   - a range to the end of argv that is empty because argv ends where it
//     begins (PFMERGE dest, SUNSUBSCRIBE) contributes no keys; the other
//     specs still count.
//
// The keynum bound check is the corrected one (keynumidx < argc-first).
func appendSpecKeys[T Arg](dst []int, c *Command, argv []T, includeNotKeys bool) ([]int, status) {
	argc := len(argv)
	base := len(dst)
	for i := range c.KeySpecs {
		ks := &c.KeySpecs[i]
		if ks.Flags&KeyNotKey != 0 && !includeNotKeys {
			continue
		}
		var first, last, step int
		switch ks.BeginSearch.Type {
		case BeginIndex:
			first = ks.BeginSearch.Pos
		case BeginKeyword:
			first = searchKeyword(argv, ks.BeginSearch.Keyword, ks.BeginSearch.StartFrom)
			if first == 0 {
				continue // keyword not found: this spec has no keys here
			}
		default:
			return dst[:base], statusFallback
		}
		fk := &ks.FindKeys
		switch fk.Type {
		case FindRange:
			step = fk.Step
			switch {
			case fk.LastKey >= 0:
				last = first + fk.LastKey
			case fk.Limit <= 0:
				last = argc + fk.LastKey
				if last == first-1 {
					// The arguments end where the keys would begin: an
					// optional trailing list that is empty (PFMERGE dest,
					// SUNSUBSCRIBE). Redis calls this spec invalid and,
					// with no get-keys function to fall back on, reports
					// no keys at all, so COMMAND GETKEYS PFMERGE dest
					// fails although the server runs it; here it is a
					// spec with no keys, and dest is still found.
					continue
				}
			default:
				last = first + ((argc-first)/fk.Limit + fk.LastKey)
			}
		case FindKeynum:
			step = fk.Step
			idx := first + fk.KeyNumIdx
			if fk.KeyNumIdx < 0 || idx >= argc {
				return dst[:base], statusInvalid
			}
			n, ok := parseCount(argv[idx])
			if !ok {
				return dst[:base], statusInvalid
			}
			if n == 0 {
				return dst[:base], statusOK
			}
			first += fk.FirstKey
			if n > int64(argc) { // cannot fit; also keeps last from overflowing
				return dst[:base], statusInvalid
			}
			last = first + int(n) - 1
		default:
			return dst[:base], statusFallback
		}
		// First or last out of bounds: a syntax error.
		if first < 1 || last >= argc || last < first || first >= argc || step < 1 {
			return dst[:base], statusInvalid
		}
		for p := first; p <= last; p += step {
			dst = append(dst, p)
		}
		if ks.Flags&KeyIncomplete != 0 {
			return dst[:base], statusFallback
		}
	}
	return dst, statusOK
}

// searchKeyword finds the keyword as Redis does and returns the index after
// it, or 0 if it is not there. startfrom > 0 searches forwards from
// argv[startfrom] to argv[argc-2]; startfrom < 0 searches backwards from
// argv[argc+startfrom] to argv[2].
func searchKeyword[T Arg](argv []T, keyword string, startfrom int) int {
	argc := len(argv)
	var start, end int
	if startfrom > 0 {
		start, end = startfrom, argc-1
	} else {
		start, end = argc+startfrom, 1
	}
	forward := start <= end
	for i := start; i != end; {
		if i >= argc || i < 1 {
			break
		}
		if equalFold(argv[i], keyword) {
			return i + 1
		}
		if forward {
			i++
		} else {
			i--
		}
	}
	return 0
}

// equalFold reports whether s equals upper, an upper-case ASCII word,
// ignoring ASCII case (strcasecmp).
func equalFold[T Arg](s T, upper string) bool {
	if len(s) != len(upper) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != upper[i] {
			return false
		}
	}
	return true
}

// parseCount parses a key count like Redis' string2ll and accepts it if it is
// not negative: decimal digits, no sign, no leading zeros, no spaces.
// ("-0" and "-1" fail either way.) The server parses EVAL's and the other
// commands' counts the same strict way, so "+1" or "01" fail the command;
// Redis' COMMAND GETKEYS differs here, because its fallback get-keys
// functions read the count with atoi.
func parseCount[T Arg](s T) (int64, bool) {
	if len(s) == 0 || len(s) > 19 {
		return 0, false
	}
	if len(s) == 1 && s[0] == '0' {
		return 0, true
	}
	if s[0] < '1' || s[0] > '9' {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if n > 1<<63-1 {
		return 0, false
	}
	return int64(n), true
}

// sortUnique sorts dst[base:] ascending and removes duplicates, in place.
// The positions are nearly always already sorted, so insertion sort is linear.
func sortUnique(dst []int, base int) []int {
	s := dst[base:]
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	n := 0
	for i, p := range s {
		if i > 0 && p == s[n-1] {
			continue
		}
		s[n] = p
		n++
	}
	return dst[:base+n]
}
