package netpoll

import (
	"sync"
	"time"
)

// shrinkEvery is how often the shrinker looks at the connections whose
// request ring has grown: a ring whose use stayed below a quarter of it
// since the last look (an idle connection, a burst that has passed) is made
// smaller. A connection with steady traffic keeps its ring; one whose
// bursts come further apart than this reallocates it once per burst.
const shrinkEvery = time.Second

// The shrinker: one goroutine, running only while some connection's ring is
// larger than minRing, so that a process of idle connections has none.
// Lock order: a Conn's mu, then shrinker.mu.
var shrinker struct {
	mu      sync.Mutex
	conns   map[*Conn]struct{}
	running bool
	every   time.Duration // shrinkEvery; tests shorten it
	empty   chan struct{} // signalled when the set empties, to end the goroutine at once
}

// watchRing puts c in the shrinker's set after its ring grew. Call with
// c.mu held.
func (c *Conn) watchRing() {
	if c.q.shrinker {
		return
	}
	c.q.shrinker = true
	shrinker.mu.Lock()
	if shrinker.conns == nil {
		shrinker.conns = make(map[*Conn]struct{})
		shrinker.empty = make(chan struct{}, 1)
	}
	shrinker.conns[c] = struct{}{}
	if !shrinker.running {
		shrinker.running = true
		every := shrinker.every
		if every <= 0 {
			every = shrinkEvery
		}
		go runShrinker(every)
	}
	shrinker.mu.Unlock()
}

// runShrinker shrinks the rings of the connections in the set every
// interval, and ends once the set is empty (a closing connection leaves it
// at once, so that no goroutine outlives the last grown connection).
func runShrinker(every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	var batch []*Conn
	for {
		select {
		case <-tick.C:
		case <-shrinker.empty:
		}
		shrinker.mu.Lock()
		if len(shrinker.conns) == 0 {
			shrinker.running = false
			shrinker.mu.Unlock()
			return
		}
		batch = batch[:0]
		for c := range shrinker.conns {
			batch = append(batch, c)
		}
		shrinker.mu.Unlock()
		for i, c := range batch {
			c.shrinkRing()
			batch[i] = nil
		}
	}
}

// shrinkRing shrinks c's ring if its use has ebbed, and takes c out of the
// shrinker's set once the ring is back to its smallest size or c is closed.
func (c *Conn) shrinkRing() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.q.shrinker {
		return
	}
	if smallest := c.q.shrink(); smallest || c.closed {
		c.unwatchRing()
	}
}

// unwatchRing takes c out of the shrinker's set. Call with c.mu held.
func (c *Conn) unwatchRing() {
	if !c.q.shrinker {
		return
	}
	c.q.shrinker = false
	shrinker.mu.Lock()
	delete(shrinker.conns, c)
	if len(shrinker.conns) == 0 {
		select {
		case shrinker.empty <- struct{}{}:
		default:
		}
	}
	shrinker.mu.Unlock()
}
