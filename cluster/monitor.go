package cluster

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/fastredis/fastredis/fastredis"
)

// Monitor streams the commands every master of the cluster runs (MONITOR
// on each), merged into one channel, each event with the node that ran it.
// Like fastredis.Monitor it does not reconnect: a node's stream ends when
// its connection is lost, and the merged stream when every node's has (Err
// gives the first cause). To watch one node, use that node's client from
// Nodes.
type Monitor struct {
	monitors []*fastredis.Monitor
	addrs    []string
	events   chan NodeMonitorEvent
	wg       sync.WaitGroup
	once     sync.Once
	stop     chan struct{}
	dropped  atomic.Uint64
}

// NodeMonitorEvent is a command a node ran.
type NodeMonitorEvent struct {
	fastredis.MonitorEvent
	Node string // the node's address
}

// Monitor starts monitoring every master.
func (c *Client) Monitor(ctx context.Context) (*Monitor, error) {
	st := c.state.Load()
	if st == nil {
		return nil, errNoTopology
	}
	m := &Monitor{events: make(chan NodeMonitorEvent, 1024), stop: make(chan struct{})}
	for _, n := range st.masters {
		nm, err := n.client.Monitor(ctx)
		if err != nil {
			m.Close()
			return nil, err
		}
		m.monitors = append(m.monitors, nm)
		m.addrs = append(m.addrs, n.addr)
	}
	for i, nm := range m.monitors {
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			for ev := range nm.Events() {
				select {
				case m.events <- NodeMonitorEvent{MonitorEvent: ev, Node: m.addrs[i]}:
				case <-m.stop:
					return
				default: // the reader is behind: dropped, as fastredis.Monitor does
					m.dropped.Add(1)
				}
			}
		}()
	}
	go func() {
		m.wg.Wait()
		close(m.events)
	}()
	return m, nil
}

// Events returns the merged stream; it is closed when every node's is.
func (m *Monitor) Events() <-chan NodeMonitorEvent { return m.events }

// Dropped counts the events dropped because the reader of Events was
// behind (each node's own drops are in its fastredis.Monitor).
func (m *Monitor) Dropped() uint64 { return m.dropped.Load() }

// Err returns why a node's stream ended, if one did (nil after Close).
func (m *Monitor) Err() error {
	var errs []error
	for _, nm := range m.monitors {
		if err := nm.Err(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Close stops every node's MONITOR.
func (m *Monitor) Close() error {
	m.once.Do(func() { close(m.stop) })
	for _, nm := range m.monitors {
		nm.Close()
	}
	return nil
}
