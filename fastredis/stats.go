package fastredis

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/fastredis/fastredis/netpoll"
)

// Stats is a snapshot of a client's connections and counters, from
// Client.Stats. The counters (Reconnects and after) count from the
// client's creation; the rest is the state at the time of the call.
type Stats struct {
	// The shared connections (Options.PoolSize) by state.
	Connecting   int
	Ready        int
	Reconnecting int
	Ended        int
	// InFlight is the number of requests written or queued on the shared
	// connections and awaiting their replies (a pipeline counts as one),
	// plus the dedicated connections lent out (a blocking command, a Watch).
	InFlight int
	// OfflineQueued and OfflineBytes are the commands waiting for a shared
	// connection to be ready (the offline queue), and their encoded size.
	OfflineQueued int
	OfflineBytes  int
	// DedicatedLent and DedicatedIdle are the dedicated connections (for
	// Watch and blocking commands) in use and kept idle.
	DedicatedLent int
	DedicatedIdle int

	// Reconnects counts shared connections re-established after a loss.
	Reconnects int64
	// DialErrors counts failed connection attempts (of any connection).
	DialErrors int64
	// Timeouts counts commands that failed because their deadline passed
	// (the context's, ReadTimeout, BlockingTimeout) or their connection hit
	// SocketTimeout.
	Timeouts int64
	// BytesRead and BytesWritten count the bytes of every connection of
	// the client (shared, dedicated, subscriber, MONITOR), handshakes
	// included.
	BytesRead    int64
	BytesWritten int64
	// PubSubDropped counts messages the client's subscribers dropped
	// because their reader fell behind (PubSub.Dropped, summed).
	PubSubDropped int64
}

// Add adds the counts of o to s: the totals of several clients (the nodes
// of a cluster).
func (s *Stats) Add(o Stats) {
	s.Connecting += o.Connecting
	s.Ready += o.Ready
	s.Reconnecting += o.Reconnecting
	s.Ended += o.Ended
	s.InFlight += o.InFlight
	s.OfflineQueued += o.OfflineQueued
	s.OfflineBytes += o.OfflineBytes
	s.DedicatedLent += o.DedicatedLent
	s.DedicatedIdle += o.DedicatedIdle
	s.Reconnects += o.Reconnects
	s.DialErrors += o.DialErrors
	s.Timeouts += o.Timeouts
	s.BytesRead += o.BytesRead
	s.BytesWritten += o.BytesWritten
	s.PubSubDropped += o.PubSubDropped
}

// clientStats holds a client's counters: atomic, updated off the hot path
// (bytes once per socket read and per batch written; the rest on
// reconnects and errors).
type clientStats struct {
	bytes         netpoll.Counters
	reconnects    atomic.Int64
	dialErrors    atomic.Int64
	timeouts      atomic.Int64
	pubsubDropped atomic.Int64
}

// Stats returns a snapshot of the client's connections and counters. It
// takes each shared connection's lock briefly; commands never wait on
// anything Stats does. On a Tx it reports the client the Tx came from,
// except the shared connections.
func (c *Client) Stats() Stats {
	var st Stats
	for i := range c.shared {
		s := &c.shared[i]
		s.mu.Lock()
		switch s.state {
		case StatusConnecting:
			st.Connecting++
		case StatusReady:
			st.Ready++
		case StatusReconnecting:
			st.Reconnecting++
		case StatusEnded:
			st.Ended++
		}
		st.OfflineQueued += s.waiting
		st.OfflineBytes += s.waitingBytes
		s.mu.Unlock()
		if cn := s.conn.Load(); cn != nil {
			st.InFlight += cn.Pending()
		}
	}
	if d := c.dedicated; d != nil {
		d.mu.Lock()
		st.DedicatedIdle = len(d.idle)
		st.DedicatedLent = len(d.open) - len(d.idle)
		d.mu.Unlock()
		st.InFlight += st.DedicatedLent
	}
	if cs := c.stats; cs != nil {
		st.Reconnects = cs.reconnects.Load()
		st.DialErrors = cs.dialErrors.Load()
		st.Timeouts = cs.timeouts.Load()
		st.BytesRead = cs.bytes.Read.Load()
		st.BytesWritten = cs.bytes.Written.Load()
		st.PubSubDropped = cs.pubsubDropped.Load()
	}
	return st
}

// noteErr counts err among the timeouts if it is one, and returns it.
func (c *Client) noteErr(err error) error {
	if c.stats != nil && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, netpoll.ErrSocketTimeout)) {
		c.stats.timeouts.Add(1)
	}
	return err
}
