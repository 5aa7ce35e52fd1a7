package main

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/fastredis/fastredis/fastredis"
)

// Each worker goroutine records into its own slotStats under its own mutex,
// which only the collector, once a second, ever contends for: recording a
// request costs an uncontended lock and a few increments. The collector
// merges every slot into the window (the last second) and the totals, and
// empties the slot.

// counts are the outcome counters of one command kind.
type counts struct {
	requests int64 // requests that completed, with a reply or an error
	errors   int64 // error replies, and requests that failed without a reply
	misses   int64 // null replies (a GET of a missing key); not errors
}

func (c *counts) add(o counts) {
	c.requests += o.requests
	c.errors += o.errors
	c.misses += o.misses
}

// kindStats is what is recorded for one command kind: counts, and the
// latencies of every request that got a non-error reply.
type kindStats struct {
	counts
	hist histogram // service time: from the send to the reply
	resp histogram // open loop: response time, from the due time to the reply
}

func (k *kindStats) add(o *kindStats) {
	k.counts.add(o.counts)
	k.hist.merge(&o.hist)
	k.resp.merge(&o.resp)
}

func (k *kindStats) reset() {
	k.counts = counts{}
	k.hist.reset()
	k.resp.reset()
}

// timing is when a request was due (open loop; zero in the closed loop),
// sent and answered.
type timing struct {
	due, sent, done time.Time
}

// slotStats belongs to one worker goroutine.
type slotStats struct {
	mu       sync.Mutex
	kinds    []kindStats // measured requests, by command kind
	warm     kindStats   // warm-up requests, all kinds together
	late     histogram   // open loop: lateness of the measured sends
	firstErr error       // the first error since the last collect
	errAt    time.Time   // when it happened
}

func newSlotStats(kinds int) *slotStats {
	return &slotStats{kinds: make([]kindStats, kinds)}
}

// record counts a request timed t that ended with err: its service time,
// and in the open loop (t.due set) its response time and its lateness.
func (s *slotStats) record(kind int, measured bool, t timing, err error) {
	s.mu.Lock()
	k := &s.warm
	if measured {
		k = &s.kinds[kind]
	}
	open := !t.due.IsZero()
	if open && measured {
		s.late.record(int64(t.sent.Sub(t.due)))
	}
	k.requests++
	switch {
	case err == nil, errors.Is(err, fastredis.Nil):
		if err != nil {
			k.misses++
		}
		k.hist.record(int64(t.done.Sub(t.sent)))
		if open {
			k.resp.record(int64(t.done.Sub(t.due)))
		}
	default:
		k.errors++
		if s.firstErr == nil {
			s.firstErr, s.errAt = err, time.Now()
		}
	}
	s.mu.Unlock()
}

// recordBatch records the outcomes of a closed-loop batch of size
// requests, timed t, under one lock: every request that got a non-error
// reply is given the batch's latency (see runner.workBatch).
func (s *slotStats) recordBatch(b *batch, w *workload, size int, measured bool, t timing) {
	lat := int64(t.done.Sub(t.sent))
	s.mu.Lock()
	defer s.mu.Unlock()
	var ok [2]uint64 // non-error replies by kind (the -ratio workload has two, a template one)
	for i := range size {
		kind := b.kinds[i]
		k := &s.warm
		if measured {
			k = &s.kinds[kind]
		}
		k.requests++
		switch err := b.result(w, i); {
		case err == nil, errors.Is(err, fastredis.Nil):
			if err != nil {
				k.misses++
			}
			ok[kind]++
		default:
			k.errors++
			if s.firstErr == nil {
				s.firstErr, s.errAt = err, time.Now()
			}
		}
	}
	for kind, n := range ok {
		if n == 0 {
			continue
		}
		k := &s.warm
		if measured {
			k = &s.kinds[kind]
		}
		k.hist.recordN(lat, n)
	}
}

// collector gathers the slots' stats.
type collector struct {
	slots  []*slotStats
	window []kindStats // since the last collect, by kind
	warm   kindStats   // warm-up requests since the last collect
	total  []kindStats // every measured request, by kind
	late   histogram   // lateness of every measured send (open loop)
	all    kindStats   // scratch: the window over all kinds
	err    error       // the first error of the run
	errAt  time.Time
}

func newCollector(slots []*slotStats, kinds int) *collector {
	return &collector{slots: slots, window: make([]kindStats, kinds), total: make([]kindStats, kinds)}
}

// collect moves what the slots recorded into the window and the totals, and
// returns the window over all kinds (warm-up included), valid until the next
// collect.
func (c *collector) collect() *kindStats {
	for i := range c.window {
		c.window[i].reset()
	}
	c.warm.reset()
	for _, s := range c.slots {
		s.mu.Lock()
		for i := range s.kinds {
			c.window[i].add(&s.kinds[i])
			s.kinds[i].reset()
		}
		c.warm.add(&s.warm)
		s.warm.reset()
		c.late.merge(&s.late)
		s.late.reset()
		if s.firstErr != nil && !errors.Is(s.firstErr, context.Canceled) && (c.err == nil || s.errAt.Before(c.errAt)) {
			c.err, c.errAt = s.firstErr, s.errAt
		}
		s.firstErr = nil
		s.mu.Unlock()
	}
	c.all.reset()
	c.all.add(&c.warm)
	for i := range c.window {
		c.total[i].add(&c.window[i])
		c.all.add(&c.window[i])
	}
	return &c.all
}
