package fastredis

import (
	"sync"

	"github.com/fastredis/fastredis/internal/keyspec"
)

// Read-your-writes: every request a caching client sends (typed methods,
// Do, Exec, pipelines, transactions, scripts, blocking commands) is read
// for the keys its commands that are not read-only name (keyspec), and
// those are invalidated when the request returns, whatever its outcome:
// the value written is never hidden by one cached before. It is the
// server's invalidation that makes other clients' writes visible; this
// makes the client's own visible at once, without waiting for it.
// FLUSHALL, FLUSHDB and SWAPDB empty the cache. On a Tx's connection, the
// keys written since MULTI are invalidated again when EXEC returns.

// cacheWrites is the write set of one request.
type cacheWrites struct {
	buf   []byte   // the encoded request
	argv  [][]byte // scratch
	pos   []int    // scratch
	keys  [][]byte // views into buf
	flush bool     // FLUSHALL, FLUSHDB, SWAPDB
	exec  bool     // EXEC or DISCARD
}

var cacheWritesPool = sync.Pool{New: func() any { return new(cacheWrites) }}

// scanWrites collects the write set of the request encode writes. It
// returns nil when the request writes nothing.
func scanWrites(encode func([]byte) []byte) *cacheWrites {
	w := cacheWritesPool.Get().(*cacheWrites)
	w.buf = encode(w.buf[:0])
	b := w.buf
	for len(b) > 0 && b[0] == '*' {
		n, rest := readLength(b[1:])
		if n <= 0 {
			break
		}
		b = rest
		w.argv = w.argv[:0]
		for i := 0; i < n && len(b) > 0 && b[0] == '$'; i++ {
			var l int
			l, b = readLength(b[1:])
			if l < 0 || l+2 > len(b) {
				b = nil
				break
			}
			w.argv = append(w.argv, b[:l:l])
			b = b[l+2:]
		}
		w.command(w.argv)
	}
	if len(w.keys) == 0 && !w.flush && !w.exec {
		w.release()
		return nil
	}
	return w
}

// command adds the keys argv writes.
func (w *cacheWrites) command(argv [][]byte) {
	if len(argv) == 0 {
		return
	}
	cmd, err := keyspec.Find(argv)
	if err != nil || cmd.ReadOnly() {
		return // a command the specs do not know: its keys are unknown
	}
	switch cmd.Name {
	case "FLUSHALL", "FLUSHDB", "SWAPDB":
		w.flush = true
		return
	case "EXEC", "DISCARD":
		w.exec = true
		return
	}
	w.pos, _ = keyspec.AppendKeyPositions(w.pos[:0], argv)
	for _, p := range w.pos {
		w.keys = append(w.keys, argv[p])
	}
}

func (w *cacheWrites) release() {
	clear(w.argv)
	clear(w.keys)
	w.argv, w.keys, w.pos = w.argv[:0], w.keys[:0], w.pos[:0]
	w.flush, w.exec = false, false
	if cap(w.buf) > 64<<10 {
		w.buf = nil
	}
	cacheWritesPool.Put(w)
}

// applyWrites invalidates the write set w (nil: none) of a request that
// returned; on a Tx's connection p, also the keys written since MULTI
// when it was EXEC.
func (cc *clientCache) applyWrites(w *cacheWrites, p *pinnedConn) {
	if w == nil {
		return
	}
	if w.flush {
		cc.flush()
	}
	for _, k := range w.keys {
		invalidate(cc, k)
	}
	if p != nil {
		p.txMu.Lock()
		for _, k := range w.keys {
			p.txKeys = append(p.txKeys, string(k))
		}
		keys := p.txKeys
		if w.exec {
			p.txKeys = nil
		}
		p.txMu.Unlock()
		if w.exec {
			for _, k := range keys {
				invalidate(cc, k)
			}
		}
	}
	w.release()
}
