package main

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/fastredis/fastredis/fastredis"
)

// workload turns a request number into a command: which command (the SET:GET
// mix, or the template), on which key, with which value. Building a request
// appends bytes into a reused Cmd and allocates nothing.
//
// Key names are formatted for each request (the prefix, then the key number
// in decimal) rather than looked up in a table of strings: with a large key
// space such a table is megabytes read at random, and its cache misses cost
// more than the formatting (about 15% of the throughput at pipeline 16).
type workload struct {
	names  []string // command names, indexed by kind
	prefix string   // key names are prefix + 0 .. prefix + (keys-1)
	keys   int
	value  []byte // the value of SET and of __value__
	dist   string
	zipfS  float64
	seed   uint64
	setW   int       // -ratio weight of SET (kind kindSet)
	getW   int       // -ratio weight of GET (kind kindGet)
	tmpl   []tmplArg // -command, or nil
}

// Command kinds of the -ratio workload.
const (
	kindSet = 0
	kindGet = 1
)

// tmplArg is one argument of a -command template: a literal, or parts to
// join, each a literal or a placeholder.
type tmplArg struct {
	lit   string
	parts []tmplPart // nil for a plain literal
	whole placeholder
}

type tmplPart struct {
	lit string
	ph  placeholder
}

type placeholder uint8

const (
	phNone placeholder = iota
	phKey
	phValue
)

// parseTemplate splits a -command template on spaces and finds the
// placeholders __key__ and __value__ in each argument.
func parseTemplate(s string) ([]tmplArg, error) {
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return nil, errors.New("empty command")
	}
	if strings.Contains(fields[0], "__key__") || strings.Contains(fields[0], "__value__") {
		return nil, fmt.Errorf("the command name %q cannot be a placeholder", fields[0])
	}
	args := make([]tmplArg, 0, len(fields))
	for _, f := range fields {
		switch f {
		case "__key__":
			args = append(args, tmplArg{whole: phKey})
			continue
		case "__value__":
			args = append(args, tmplArg{whole: phValue})
			continue
		}
		var parts []tmplPart
		rest := f
		for rest != "" {
			ki, vi := strings.Index(rest, "__key__"), strings.Index(rest, "__value__")
			i, ph, n := ki, phKey, len("__key__")
			if vi >= 0 && (ki < 0 || vi < ki) {
				i, ph, n = vi, phValue, len("__value__")
			}
			if i < 0 {
				parts = append(parts, tmplPart{lit: rest})
				break
			}
			if i > 0 {
				parts = append(parts, tmplPart{lit: rest[:i]})
			}
			parts = append(parts, tmplPart{ph: ph})
			rest = rest[i+n:]
		}
		if len(parts) == 1 && parts[0].ph == phNone {
			parts = nil
		}
		args = append(args, tmplArg{lit: f, parts: parts})
	}
	return args, nil
}

// newWorkload prepares the workload of cfg: it builds the key space and the
// value.
func newWorkload(cfg *config) (*workload, error) {
	w := &workload{
		prefix: cfg.keyPrefix,
		keys:   cfg.keys,
		dist:   cfg.keyDist,
		zipfS:  cfg.zipfS,
		seed:   cfg.seed,
		setW:   cfg.ratioSet,
		getW:   cfg.ratioGet,
		value:  makeValue(cfg.valueSize),
	}
	if cfg.command != "" {
		tmpl, err := parseTemplate(cfg.command)
		if err != nil {
			return nil, err
		}
		w.tmpl = tmpl
		w.names = []string{strings.ToUpper(tmpl[0].lit)}
	} else {
		w.names = []string{"SET", "GET"}
	}
	return w, nil
}

// appendKey appends the name of key number n.
func (w *workload) appendKey(b []byte, n int) []byte {
	return strconv.AppendInt(append(b, w.prefix...), int64(n), 10)
}

// makeValue returns n deterministic bytes: a repeating, readable pattern.
func makeValue(n int) []byte {
	const pattern = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	v := make([]byte, n)
	for i := range v {
		v[i] = pattern[i%len(pattern)]
	}
	return v
}

// kinds returns how many command kinds the workload has (histograms per
// slot).
func (w *workload) kinds() int { return len(w.names) }

// active reports whether kind is ever sent (a 0 weight in -ratio is not).
func (w *workload) active(kind int) bool {
	if w.tmpl != nil {
		return true
	}
	if kind == kindSet {
		return w.setW > 0
	}
	return w.getW > 0
}

// kindOf returns the command kind of request number n: for -ratio a:b, the
// first a of every a+b requests are SETs, so the mix is exact.
func (w *workload) kindOf(n int64) int {
	if w.tmpl != nil {
		return 0
	}
	if n%int64(w.setW+w.getW) < int64(w.setW) {
		return kindSet
	}
	return kindGet
}

// keyPicker chooses keys for one worker goroutine.
type keyPicker struct {
	rng  *rand.Rand
	zipf *rand.Zipf // nil for uniform
	n    int
}

// newPicker returns a key picker seeded from the workload's seed and the
// worker's id, so runs repeat.
func (w *workload) newPicker(id int) *keyPicker {
	p := &keyPicker{rng: rand.New(rand.NewPCG(w.seed, uint64(id))), n: w.keys}
	if w.dist == "zipf" && p.n > 1 {
		p.zipf = rand.NewZipf(p.rng, w.zipfS, 1, uint64(p.n-1))
	}
	return p
}

// next returns a key index.
func (p *keyPicker) next() int {
	if p.zipf != nil {
		return int(p.zipf.Uint64())
	}
	return p.rng.IntN(p.n)
}

// build fills cmd with request kind on key number key. scratch is the
// worker's buffer for the key name and for template arguments that join
// text and placeholders; Cmd copies each argument, so it is reused at once.
//
// Keys go in as plain arguments (ArgBytes), so the client's KeyPrefix does
// not apply to them: runWith folds a key_prefix from -url into the key
// names instead.
func (w *workload) build(cmd *fastredis.Cmd, kind, key int, scratch *[]byte) {
	if w.tmpl == nil {
		*scratch = w.appendKey((*scratch)[:0], key)
		if kind == kindSet {
			cmd.Reset("SET").ArgBytes(*scratch).ArgBytes(w.value)
		} else {
			cmd.Reset("GET").ArgBytes(*scratch)
		}
		return
	}
	cmd.Reset(w.tmpl[0].lit)
	for _, a := range w.tmpl[1:] {
		switch {
		case a.whole == phValue:
			cmd.ArgBytes(w.value)
		case a.whole == phNone && a.parts == nil:
			cmd.Arg(a.lit)
		default:
			b := (*scratch)[:0]
			if a.whole == phKey {
				b = w.appendKey(b, key)
			}
			for _, p := range a.parts {
				switch p.ph {
				case phKey:
					b = w.appendKey(b, key)
				case phValue:
					b = append(b, w.value...)
				default:
					b = append(b, p.lit...)
				}
			}
			*scratch = b
			cmd.ArgBytes(b)
		}
	}
}
