package fuzz

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seed is one RESP input for FuzzReader and FuzzDifferential.
type seed struct {
	name string
	data string
}

// nest returns depth arrays of one element each around :1.
func nest(depth int) string { return strings.Repeat("*1\r\n", depth) + ":1\r\n" }

// streamedArray returns a streamed array of n integers.
func streamedArray(n int) string { return "*?\r\n" + strings.Repeat(":1\r\n", n) + ".\r\n" }

// mapOf returns a map of n pairs of integers.
func mapOf(n int) string { return fmt.Sprintf("%%%d\r\n", n) + strings.Repeat(":1\r\n:2\r\n", n) }

// The limits that the differential test (and FuzzReader, besides the defaults)
// uses: small ones that the fuzzer can reach, and the larger ones of the
// brief.
var limitSets = []struct {
	name            string
	maxBulk, maxAgg int64
	maxDepth        int
}{
	{name: "small", maxBulk: 64, maxAgg: 16, maxDepth: 8},
	{name: "medium", maxBulk: 1 << 20, maxAgg: 1000, maxDepth: 32},
}

// seeds covers every type, the streamed forms, attributes, nulls, nesting,
// each limit (for both limit sets), truncated input and garbage.
var seeds = []seed{
	// Scalars.
	{"simple-string", "+OK\r\n"},
	{"simple-string-empty", "+\r\n"},
	{"simple-string-binary", "+a\x00\xff b\r\n"},
	{"simple-error", "-ERR unknown command 'foo'\r\n"},
	{"simple-error-empty", "-\r\n"},
	{"integer", ":1000\r\n"},
	{"integer-negative", ":-42\r\n"},
	{"integer-plus", ":+7\r\n"},
	{"integer-max", ":9223372036854775807\r\n"},
	{"integer-min", ":-9223372036854775808\r\n"},
	{"integer-overflow", ":9223372036854775808\r\n"},
	{"integer-24-bytes", ":-00000000000000000000001\r\n"},
	{"integer-25-bytes", ":-000000000000000000000001\r\n"},
	{"integer-empty", ":\r\n"},
	{"integer-sign-only", ":-\r\n"},
	{"integer-garbage", ":12a\r\n"},
	{"bulk", "$5\r\nhello\r\n"},
	{"bulk-empty", "$0\r\n\r\n"},
	{"bulk-binary", "$4\r\n\r\n\x00\n\r\n"},
	{"bulk-leading-zeros", "$005\r\nhello\r\n"},
	{"bulk-null", "$-1\r\n"},
	{"bulk-negative", "$-2\r\n"},
	{"bulk-plus", "$+1\r\na\r\n"},
	{"bulk-bad-trailer", "$1\r\nab\r\n"},
	{"bulk-header-too-long", "$0000000000000000000000001\r\na\r\n"},
	{"null", "_\r\n"},
	{"null-bad", "_x\r\n"},
	{"bool-true", "#t\r\n"},
	{"bool-false", "#f\r\n"},
	{"bool-bad", "#x\r\n"},
	{"bool-upper", "#T\r\n"},
	{"double", ",1.23\r\n"},
	{"double-exp", ",-1.5e-10\r\n"},
	{"double-int", ",10\r\n"},
	{"double-dot", ",.5\r\n"},
	{"double-trailing-dot", ",5.\r\n"},
	{"double-big-exp", ",1e400\r\n"},
	{"double-inf", ",inf\r\n"},
	{"double-neg-inf", ",-inf\r\n"},
	{"double-plus-inf", ",+INF\r\n"},
	{"double-nan", ",nan\r\n"},
	{"double-nan-upper", ",NaN\r\n"},
	{"double-neg-nan", ",-nan\r\n"},
	{"double-bad", ",1.2.3\r\n"},
	{"double-hex", ",0x10\r\n"},
	{"double-empty", ",\r\n"},
	{"double-exp-no-digits", ",1e\r\n"},
	{"big-number", "(3492890328409238509324850943850943825024385\r\n"},
	{"big-number-negative", "(-1\r\n"},
	{"big-number-bad", "(12x\r\n"},
	{"bulk-error", "!21\r\nSYNTAX invalid syntax\r\n"},
	{"bulk-error-null", "!-1\r\n"},
	{"verbatim", "=15\r\ntxt:Some string\r\n"},
	{"verbatim-empty-text", "=4\r\nmkd:\r\n"},
	{"verbatim-too-short", "=3\r\ntxt\r\n"},
	{"verbatim-no-colon", "=8\r\ntxt-abcd\r\n"},
	{"verbatim-no-colon-truncated", "=10\r\ntxtX"},
	{"verbatim-null", "=-1\r\n"},

	// Streamed strings.
	{"streamed-string", "$?\r\n;4\r\nHell\r\n;5\r\no wor\r\n;1\r\nd\r\n;0\r\n"},
	{"streamed-string-empty", "$?\r\n;0\r\n"},
	{"streamed-string-no-semicolon", "$?\r\n4\r\nHell\r\n;0\r\n"},
	{"streamed-string-negative-chunk", "$?\r\n;-1\r\n"},
	{"streamed-string-bad-trailer", "$?\r\n;1\r\nab\r\n;0\r\n"},
	{"streamed-bulk-error", "!?\r\n;1\r\na\r\n;0\r\n"},

	// Aggregates.
	{"array", "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n"},
	{"array-empty", "*0\r\n"},
	{"array-null", "*-1\r\n"},
	{"array-mixed", "*6\r\n:1\r\n+two\r\n$5\r\nthree\r\n_\r\n#t\r\n,4.5\r\n"},
	{"array-nested", "*2\r\n*3\r\n:1\r\n:2\r\n:3\r\n*2\r\n+Hello\r\n-World\r\n"},
	{"array-with-nulls", "*3\r\n$-1\r\n*-1\r\n_\r\n"},
	{"array-empty-nested", "*2\r\n*0\r\n%0\r\n"},
	{"set", "~3\r\n+a\r\n+b\r\n+c\r\n"},
	{"set-null", "~-1\r\n"},
	{"push", ">3\r\n+message\r\n+chan\r\n$5\r\nhello\r\n"},
	{"push-streamed", ">?\r\n+a\r\n.\r\n"},
	{"map", "%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n"},
	{"map-empty", "%0\r\n"},
	{"map-null", "%-1\r\n"},
	{"map-nested", "%1\r\n*2\r\n:1\r\n:2\r\n%1\r\n+k\r\n~1\r\n+v\r\n"},
	{"array-count-garbage", "*1x\r\n:1\r\n"},

	// Streamed aggregates.
	{"streamed-array", "*?\r\n:1\r\n:2\r\n:3\r\n.\r\n"},
	{"streamed-array-empty", "*?\r\n.\r\n"},
	{"streamed-set", "~?\r\n+a\r\n+b\r\n.\r\n"},
	{"streamed-map", "%?\r\n+a\r\n:1\r\n+b\r\n:2\r\n.\r\n"},
	{"streamed-map-odd", "%?\r\n+a\r\n:1\r\n+b\r\n.\r\n"},
	{"streamed-nested", "*?\r\n*?\r\n:1\r\n.\r\n*2\r\n*?\r\n.\r\n:5\r\n:6\r\n.\r\n"},
	{"streamed-in-array", "*2\r\n*?\r\n:1\r\n:2\r\n.\r\n%?\r\n+k\r\n$?\r\n;1\r\nv\r\n;0\r\n.\r\n"},
	{"end-marker-top", ".\r\n"},
	{"end-marker-in-counted", "*1\r\n.\r\n"},
	{"end-marker-bad", "*?\r\n.x\r\n"},
	{"attribute-streamed", "|?\r\n+a\r\n+b\r\n.\r\n:1\r\n"},

	// Attributes.
	{"attribute", "|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n"},
	{"attribute-empty", "|0\r\n+x\r\n"},
	{"attribute-on-null", "|1\r\n+a\r\n+b\r\n_\r\n"},
	{"attribute-in-array", "*2\r\n|1\r\n+ttl\r\n:3600\r\n+v\r\n:2\r\n"},
	{"attribute-in-attribute", "|1\r\n|1\r\n+x\r\n+y\r\n+k\r\n+v\r\n:1\r\n"},
	{"attribute-in-streamed", "*?\r\n|1\r\n+a\r\n+b\r\n:1\r\n:2\r\n.\r\n"},
	{"attribute-in-map", "%1\r\n|0\r\n+k\r\n|1\r\n+a\r\n+b\r\n+v\r\n"},
	{"attribute-then-attribute", "|0\r\n|0\r\n:1\r\n"},
	{"attribute-then-end", "*?\r\n|0\r\n.\r\n"},
	{"attribute-null", "|-1\r\n:1\r\n"},
	{"attribute-on-streamed", "|1\r\n+a\r\n+b\r\n*?\r\n:1\r\n.\r\n"},

	// Limits: for the small set (bulk 64, aggregate 16, depth 8) and the
	// medium set (bulk 1<<20, aggregate 1000, depth 32).
	{"depth-8", nest(8)},
	{"depth-9", nest(9)},
	{"depth-9-empty-inside", strings.Repeat("*1\r\n", 8) + "*0\r\n"},
	{"depth-9-null-inside", strings.Repeat("*1\r\n", 8) + "*-1\r\n"},
	{"depth-9-streamed-inside", strings.Repeat("*1\r\n", 8) + "*?\r\n.\r\n"},
	{"depth-9-attribute-inside", strings.Repeat("*1\r\n", 8) + "|1\r\n+a\r\n+b\r\n:1\r\n"},
	{"depth-32", nest(32)},
	{"depth-33", nest(33)},
	{"depth-1000", nest(1000)},
	{"array-16", "*16\r\n" + strings.Repeat(":1\r\n", 16)},
	{"array-17", "*17\r\n" + strings.Repeat(":1\r\n", 17)},
	{"map-16", mapOf(16)},
	{"map-17", mapOf(17)},
	{"array-1001-header", "*1001\r\n"},
	{"array-huge-header", "*9223372036854775807\r\n"},
	{"streamed-array-16", streamedArray(16)},
	{"streamed-array-17", streamedArray(17)},
	{"streamed-map-17", "%?\r\n" + strings.Repeat(":1\r\n", 34) + ".\r\n"},
	{"streamed-array-1001", streamedArray(1001)},
	{"bulk-64", "$64\r\n" + strings.Repeat("x", 64) + "\r\n"},
	{"bulk-65", "$65\r\n" + strings.Repeat("x", 65) + "\r\n"},
	{"bulk-over-medium", "$1048577\r\n"},
	{"bulk-over-default", "$536870913\r\n"},
	{"bulk-error-65", "!65\r\n"},
	{"verbatim-65", "=65\r\n"},
	{"simple-string-64", "+" + strings.Repeat("x", 64) + "\r\n"},
	{"simple-string-65", "+" + strings.Repeat("x", 65) + "\r\n"},
	{"simple-string-65-no-cr", "+" + strings.Repeat("x", 65)},
	{"double-65", "," + strings.Repeat("1", 65) + "\r\n"},
	{"big-number-65", "(" + strings.Repeat("1", 65) + "\r\n"},
	{"streamed-string-65", "$?\r\n;60\r\n" + strings.Repeat("x", 60) + "\r\n;5\r\n"},

	// Line endings.
	{"cr-without-lf", "+OK\rX\n"},
	{"lf-inside-line", "+O\nK\r\n"},
	{"lf-only", "+OK\n"},
	{"header-cr-without-lf", "*1\r:1\r\n"},
	{"bulk-header-lf", "$1\n\r\na\r\n"},

	// Truncated input.
	{"truncated-type", "$"},
	{"truncated-header", "*3\r"},
	{"truncated-bulk", "$10\r\nhello"},
	{"truncated-bulk-cr", "$5\r\nhello\r"},
	{"truncated-array", "*3\r\n:1\r\n:2\r\n"},
	{"truncated-null", "_\r"},
	{"truncated-bool", "#"},
	{"truncated-streamed", "*?\r\n:1\r\n"},
	{"truncated-streamed-end", "*?\r\n:1\r\n."},
	{"truncated-end-top", "."},
	{"truncated-streamed-string", "$?\r\n;4\r\nHe"},
	{"truncated-attribute", "|1\r\n+a\r\n+b\r\n"},
	{"truncated-verbatim", "=15\r\ntxt"},

	// Pipelined replies and trailing bytes.
	{"pipelined", "+OK\r\n:1\r\n$3\r\nfoo\r\n*2\r\n:1\r\n:2\r\n_\r\n"},
	{"pipelined-push", ">2\r\n+message\r\n+x\r\n+OK\r\n|0\r\n:1\r\n"},
	{"pipelined-then-garbage", "+OK\r\n:1\r\nGARBAGE\r\n"},
	{"pipelined-then-truncated", "+OK\r\n$5\r\nhel"},

	// Garbage.
	{"garbage-type", "x\r\n"},
	{"garbage-inline", "PING\r\n"},
	{"garbage-empty-line", "\r\n"},
	{"garbage-binary", "\x00\xff\xfe"},
	{"garbage-http", "HTTP/1.1 400 Bad Request\r\n\r\n"},
}

var writeCorpus = flag.Bool("write-corpus", false, "rewrite testdata/fuzz/ from the seed tables")

// TestWriteSeedCorpus rewrites the committed seed corpora of the fuzz targets
// from the seed tables, when run with -write-corpus. Without it, it checks
// that the committed files are what the tables give.
func TestWriteSeedCorpus(t *testing.T) {
	files := map[string][]byte{}
	for i, s := range seeds {
		// FuzzReader splits by the bytes of its second argument; give each
		// seed a different split pattern.
		cuts := []byte{byte(i % 7), byte(i % 3), byte(i % 11)}
		files["FuzzReader/"+s.name] = corpusFile([]byte(s.data), cuts)
		files["FuzzDifferential/"+s.name] = corpusFile([]byte(s.data))
		if len(s.data) > 2 && !strings.HasPrefix(s.name, "truncated") {
			half := []byte(s.data[:len(s.data)/2])
			files["FuzzDifferential/"+s.name+"-half"] = corpusFile(half)
		}
	}
	for _, s := range roundTripSeeds {
		files["FuzzRoundTrip/"+s.name] = corpusFile([]byte(s.data), s.sep, s.i, s.u, s.f, s.b)
	}
	for name, want := range files {
		path := filepath.Join("testdata", "fuzz", filepath.FromSlash(name))
		if *writeCorpus {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%v (run go test -run=TestWriteSeedCorpus ./fuzz/ -write-corpus)", err)
		} else if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the seed table (run go test -run=TestWriteSeedCorpus ./fuzz/ -write-corpus)", path)
		}
	}
}

// corpusFile encodes values in the corpus file format of go test -fuzz
// ("go test fuzz v1", then one Go expression per argument), as the Go
// toolchain's own encoder does for these types.
func corpusFile(vals ...any) []byte {
	var b bytes.Buffer
	b.WriteString("go test fuzz v1\n")
	for _, v := range vals {
		switch v := v.(type) {
		case []byte:
			fmt.Fprintf(&b, "[]byte(%q)\n", v)
		case byte:
			fmt.Fprintf(&b, "byte(%q)\n", v)
		case int64, uint64, bool:
			fmt.Fprintf(&b, "%T(%v)\n", v, v)
		case float64:
			if math.IsNaN(v) && math.Float64bits(v) != math.Float64bits(math.NaN()) {
				fmt.Fprintf(&b, "math.Float64frombits(0x%x)\n", math.Float64bits(v))
			} else {
				fmt.Fprintf(&b, "%T(%v)\n", v, v)
			}
		default:
			panic(fmt.Sprintf("corpusFile: unsupported type %T", v))
		}
	}
	return b.Bytes()
}
