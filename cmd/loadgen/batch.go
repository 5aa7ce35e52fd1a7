package main

import (
	"unsafe"

	"github.com/fastredis/fastredis/fastredis"
)

// batch is one closed-loop client's pipeline with -pipeline n: the client
// queues n requests into one fastredis Pipeline, writes them in one batch
// and reads the n replies, as redis-benchmark -P n does, then starts the
// next batch. Everything is reused from batch to batch: the Pipeline
// (Reset), the Futures, the key names and the GET buffers, so the -ratio
// workload allocates nothing per batch. A -command template goes through
// Pipeline.Do, which allocates its arguments.
type batch struct {
	p     *fastredis.Pipeline
	kinds []int
	keys  []byte // the batch's key names, back to back
	ends  []int  // where each request's key name ends in keys
	gets  []fastredis.Future[[]byte]
	sets  []fastredis.Future[fastredis.OK]
	dos   []fastredis.Future[fastredis.Reply]
	bufs  [][]byte // GET replies, one buffer per request
	args  []any    // a template's arguments
	parts [][]byte // a template's joined arguments, one buffer per argument
}

func newBatch(client *fastredis.Client, w *workload, n int) *batch {
	b := &batch{
		p:     client.Pipeline(),
		kinds: make([]int, n),
		ends:  make([]int, n),
		bufs:  make([][]byte, n),
	}
	if w.tmpl != nil {
		b.dos = make([]fastredis.Future[fastredis.Reply], n)
		b.args = make([]any, 0, len(w.tmpl))
		b.parts = make([][]byte, len(w.tmpl))
	} else {
		b.gets = make([]fastredis.Future[[]byte], n)
		b.sets = make([]fastredis.Future[fastredis.OK], n)
	}
	return b
}

// fill queues the requests numbered first, first+1, ... (len(kinds) of
// them, at most the pipeline depth), each on the key picker chooses.
func (b *batch) fill(w *workload, picker *keyPicker, first int64, size int) {
	b.p.Reset()
	b.keys = b.keys[:0]
	for i := range size {
		b.kinds[i] = w.kindOf(first + int64(i))
		b.keys = w.appendKey(b.keys, picker.next())
		b.ends[i] = len(b.keys)
	}
	start := 0
	for i := range size {
		// A view of keys, which stays as it is until the next fill: the
		// pipeline encodes each command as it is queued.
		key := unsafe.String(unsafe.SliceData(b.keys[start:]), b.ends[i]-start)
		start = b.ends[i]
		switch {
		case w.tmpl != nil:
			b.args = w.templateArgs(b.args[:0], key, b.parts)
			b.dos[i] = b.p.Do(b.args...)
		case b.kinds[i] == kindSet:
			b.sets[i] = b.p.SetBytes(key, w.value)
		default:
			b.gets[i] = b.p.GetAppend(b.bufs[i][:0], key)
		}
	}
}

// result returns the outcome of request i of the batch just run (nil, an
// error reply, fastredis.Nil for a null), keeping its GET buffer for the
// next batch.
func (b *batch) result(w *workload, i int) error {
	switch {
	case w.tmpl != nil:
		return b.dos[i].Err()
	case b.kinds[i] == kindSet:
		return b.sets[i].Err()
	}
	v, err := b.gets[i].Result()
	if cap(v) > cap(b.bufs[i]) {
		b.bufs[i] = v
	}
	return err
}

// templateArgs appends the -command template's arguments for key to args,
// joining text and placeholders into parts (one buffer per argument, as
// Pipeline.Do copies them when it queues the command).
func (w *workload) templateArgs(args []any, key string, parts [][]byte) []any {
	args = append(args, w.tmpl[0].lit)
	for i, a := range w.tmpl[1:] {
		switch {
		case a.whole == phValue:
			args = append(args, w.value)
		case a.whole == phKey:
			args = append(args, key)
		case a.parts == nil:
			args = append(args, a.lit)
		default:
			p := parts[i][:0]
			for _, part := range a.parts {
				switch part.ph {
				case phKey:
					p = append(p, key...)
				case phValue:
					p = append(p, w.value...)
				default:
					p = append(p, part.lit...)
				}
			}
			parts[i] = p
			args = append(args, p)
		}
	}
	return args
}
