package fuzz

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastredis/fastredis/resp"
)

// generate turns arbitrary bytes into a well-formed RESP value, reading them
// as choices: which type, how many elements, which payload. Mutating bytes
// rarely builds deep, valid structures (a streamed map inside an attribute
// inside a push); reading the fuzz input through generate does, so the
// targets feed its output to the reader as well as the raw input.
//
// The value nests at most genMaxDepth aggregates (attributes included), has
// at most 3 entries per aggregate and at most 8 payload bytes per string, so
// it is within the "small" limits except for depth, and within the "medium"
// ones entirely.
func generate(src []byte) []byte {
	g := &gen{src: src}
	g.value(0)
	return g.out
}

const genMaxDepth = 10

type gen struct {
	src []byte
	out []byte
}

func (g *gen) next() byte {
	if len(g.src) == 0 {
		return 0
	}
	b := g.src[0]
	g.src = g.src[1:]
	return b
}

// payload takes up to 7 bytes from the input, without CR and LF if line.
func (g *gen) payload(line bool) []byte {
	n := int(g.next() % 8)
	p := []byte{}
	for range n {
		c := g.next()
		if line && (c == '\r' || c == '\n') {
			c = ' '
		}
		p = append(p, c)
	}
	return p
}

func (g *gen) digits() string {
	p := g.payload(false)
	s := []byte{}
	for _, c := range p {
		s = append(s, '0'+c%10)
	}
	if len(s) == 0 {
		s = append(s, '0')
	}
	return string(s)
}

func (g *gen) int64() int64 {
	var b [8]byte
	for i := range int(g.next() % 9) {
		b[i] = g.next()
	}
	return int64(binary.LittleEndian.Uint64(b[:]))
}

// value appends a value, with an attribute before it when the input says so.
func (g *gen) value(depth int) {
	if c := g.next(); c >= 0xe0 && depth < genMaxDepth {
		n := int(c % 3)
		g.out = resp.AppendAttributeHeader(g.out, n)
		for range 2 * n {
			g.value(depth + 1)
		}
	}
	g.bare(depth)
}

// bare appends a value without an attribute.
func (g *gen) bare(depth int) {
	kind := g.next() % 21
	if depth >= genMaxDepth || len(g.out) > 1<<14 {
		kind %= 12 // scalars only
	}
	switch kind {
	case 0:
		g.out = resp.AppendSimpleString(g.out, string(g.payload(true)))
	case 1:
		g.out = resp.AppendError(g.out, string(g.payload(true)))
	case 2:
		g.out = resp.AppendInt(g.out, g.int64())
	case 3:
		g.out = resp.AppendBulk(g.out, g.payload(false))
	case 4:
		switch g.next() % 3 {
		case 0:
			g.out = resp.AppendNull(g.out)
		case 1:
			g.out = resp.AppendNullBulk(g.out)
		default:
			g.out = resp.AppendNullArray(g.out)
		}
	case 5:
		g.out = resp.AppendBool(g.out, g.next()%2 == 0)
	case 6:
		g.double()
	case 7:
		sign := []string{"", "-", "+"}[g.next()%3]
		g.out = resp.AppendBigNumber(g.out, sign+g.digits())
	case 8:
		g.out = resp.AppendBulkError(g.out, string(g.payload(false)))
	case 9:
		format := []string{"txt", "mkd", "\x00\r\n"}[g.next()%3]
		g.out = resp.AppendVerbatim(g.out, format, string(g.payload(false)))
	case 10:
		g.out = append(g.out, "$?\r\n"...)
		for range int(g.next() % 4) {
			p := g.payload(false)
			if len(p) == 0 {
				p = []byte{'x'}
			}
			g.out = fmt.Appendf(g.out, ";%d\r\n%s\r\n", len(p), p)
		}
		g.out = append(g.out, ";0\r\n"...)
	case 11:
		g.out = resp.AppendBulkInt(g.out, g.int64())
	case 12, 13, 14, 15:
		n := int(g.next() % 4)
		switch kind {
		case 12:
			g.out = resp.AppendArrayHeader(g.out, n)
		case 13:
			g.out = resp.AppendSetHeader(g.out, n)
		case 14:
			g.out = resp.AppendPushHeader(g.out, n)
		case 15:
			g.out = resp.AppendMapHeader(g.out, n)
			n *= 2
		}
		for range n {
			g.value(depth + 1)
		}
	case 16, 17, 18:
		typ := []string{"*", "~", "%"}[kind-16]
		n := int(g.next() % 4)
		if typ == "%" {
			n *= 2
		}
		g.out = append(g.out, typ+"?\r\n"...)
		for range n {
			g.value(depth + 1)
		}
		g.out = append(g.out, ".\r\n"...)
	case 19:
		g.out = resp.AppendBulkFloat(g.out, math.Float64frombits(uint64(g.int64())))
	default:
		g.out = resp.AppendBulkUint(g.out, uint64(g.int64()))
	}
}

func (g *gen) double() {
	switch g.next() % 6 {
	case 0:
		g.out = resp.AppendDouble(g.out, math.Float64frombits(uint64(g.int64())))
	case 1:
		g.out = resp.AppendDouble(g.out, float64(g.int64()))
	case 2:
		s := []string{"inf", "-inf", "+inf", "INF", "nan", "NaN"}[g.next()%6]
		g.out = append(g.out, ","+s+"\r\n"...)
	case 3: // forms strconv does not write: 1., .5, 1e5, +2
		s := []string{g.digits() + ".", "." + g.digits(), g.digits() + "e" + g.digits(), "+" + g.digits(), "-" + g.digits() + ".E-" + g.digits()}[g.next()%5]
		g.out = append(g.out, ","+s+"\r\n"...)
	default:
		g.out = resp.AppendDouble(g.out, float64(g.int64())/float64(1+g.next()))
	}
}

// generated returns the value that generate makes of data, and two inputs
// near it: a prefix, and a copy with one byte changed, both chosen by data.
func generated(data []byte) [][]byte {
	msg := generate(data)
	if len(msg) == 0 {
		return nil
	}
	h := uint(0)
	for _, c := range data {
		h = h*31 + uint(c)
	}
	cut := msg[:h%uint(len(msg)+1)]
	changed := append([]byte(nil), msg...)
	changed[(h/7)%uint(len(msg))] ^= byte(1 + (h/13)%255)
	return [][]byte{msg, cut, changed}
}

// TestGenerate checks that generated values are well-formed: the reference
// parser and the reader both take all of each, with the medium limits.
func TestGenerate(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		src := make([]byte, rng.IntN(300))
		for j := range src {
			src[j] = byte(rng.Uint32())
		}
		msg := generate(src)
		l := limitSets[1]
		p := &refParser{buf: msg, maxBulk: l.maxBulk, maxAgg: l.maxAgg, maxDepth: l.maxDepth}
		_, n, err := p.parse()
		if err != nil || n != len(msg) {
			t.Fatalf("generate(%q) = %q: reference parser: %d, %v", src, msg, n, err)
		}
		r := &resp.Reader{MaxBulkLen: l.maxBulk, MaxAggregateLen: l.maxAgg, MaxDepth: l.maxDepth}
		if _, n, err := r.Parse(msg); err != nil || n != len(msg) {
			t.Fatalf("generate(%q) = %q: reader: %d, %v", src, msg, n, err)
		}
		for _, in := range generated(src) {
			differential(t, in)
		}
	}
}
