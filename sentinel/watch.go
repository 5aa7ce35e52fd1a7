package sentinel

import (
	"context"
	"net"
	"strings"
	"time"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/internal/director"
)

// Following failovers. Every known sentinel is watched (any of them may
// lead a failover, and the leader announces each step). Replication is
// asynchronous: a write the old master acknowledges after its replica was
// promoted is lost. So, for the master role, from the first announcement
// that a failover of our master began (+try-failover, +elected-leader,
// +selected-slave, +failover-state-send-slaveof-noone, +promoted-slave)
// until +switch-master, new commands are held (as in the offline queue);
// what was sent before is drained with WAIT, so what the old master
// acknowledged has reached a replica; then, at +switch-master, every
// connection moves to the new master at once and the held commands go
// there. A failover that is aborted, or takes longer than FailoverTimeout,
// releases the held commands where they were.

// failoverSigns are the announcements that a failover began.
var failoverSigns = map[string]bool{
	"+try-failover": true, "+elected-leader": true, "+failover-state-select-slave": true,
	"+selected-slave": true, "+failover-state-send-slaveof-noone": true, "+failover-state-wait-promotion": true,
	"+promoted-slave": true,
}

// watch follows the announcements of one sentinel until the client closes.
func (c *Client) watch(addr string, sc *fastredis.Client) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		for attempt := 1; c.ctx.Err() == nil; attempt++ {
			ps, err := sc.PSubscribe(c.ctx, "*")
			if err != nil {
				// The sentinel is down: try again later, never in a loop
				// without a pause.
				t := time.NewTimer(min(time.Duration(attempt)*100*time.Millisecond, 2*time.Second))
				select {
				case <-c.ctx.Done():
					t.Stop()
					return
				case <-t.C:
				}
				continue
			}
			attempt = 0
			c.follow(ps)
			ps.Close()
		}
	}()
}

// follow reads one subscription's messages until it ends.
func (c *Client) follow(ps *fastredis.PubSub) {
	msgs := ps.Messages()
	for {
		select {
		case <-c.ctx.Done():
			return
		case m, ok := <-msgs:
			if !ok {
				return
			}
			c.announce(m.Channel, m.Payload)
		}
	}
}

// announce handles one sentinel announcement.
func (c *Client) announce(event, payload string) {
	f := strings.Fields(payload)
	switch {
	case event == "+switch-master":
		// <name> <old ip> <old port> <new ip> <new port>
		if len(f) == 5 && f[0] == c.opts.MasterName {
			c.switched(c.opts.mapAddr(net.JoinHostPort(f[3], f[4])), event)
		}
	case failoverSigns[event]:
		if masterOf(f) == c.opts.MasterName && c.opts.Role == RoleMaster {
			c.failoverStarted(event)
		}
	case strings.HasPrefix(event, "-failover-abort") || event == "+failover-end-for-timeout":
		if masterOf(f) == c.opts.MasterName {
			c.failoverAborted(event)
		}
	case event == "+sdown" || event == "+odown":
		// A replica we read from went down: move to another.
		if c.opts.Role == RoleReplica && len(f) >= 2 && f[0] == "slave" && masterOf(f) == c.opts.MasterName {
			if c.opts.mapAddr(f[1]) == c.Addr() {
				director.Switch(c.ctx, c.Client, 0, 0)
			}
		}
	}
}

// masterOf returns the master name an announcement is about: "master
// <name> ..." or "... @ <name> <ip> <port>".
func masterOf(f []string) string {
	if len(f) >= 2 && f[0] == "master" {
		return f[1]
	}
	for i, x := range f {
		if x == "@" && i+1 < len(f) {
			return f[i+1]
		}
	}
	return ""
}

// failoverStarted holds new commands and drains what was sent.
func (c *Client) failoverStarted(reason string) {
	c.mu.Lock()
	if c.holding || c.closed.Load() {
		c.mu.Unlock()
		return
	}
	c.holding, c.heldAt = true, time.Now()
	c.abort = time.AfterFunc(c.opts.FailoverTimeout, func() { c.failoverAborted("FailoverTimeout") })
	started := c.heldAt
	c.mu.Unlock()
	director.Hold(c.Client)
	c.emit(Event{Type: EventFailoverStarted, Addr: c.Addr(), Reason: reason})
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		ctx, cancel := context.WithTimeout(c.ctx, c.opts.DrainTimeout+time.Second)
		defer cancel()
		// Any replica may be the one promoted: wait for all of them (the
		// usable ones the sentinels know), within DrainTimeout.
		want := 1
		if rs, err := c.replicaAddrs(ctx); err == nil && len(rs) > want {
			want = len(rs)
		}
		n, err := director.Drain(ctx, c.Client, want, c.opts.DrainTimeout)
		if err == nil {
			c.emit(Event{Type: EventDrained, Addr: c.Addr(), Replicas: n, Duration: time.Since(started)})
		}
	}()
}

// switched moves every connection to the new master.
func (c *Client) switched(addr, reason string) {
	c.mu.Lock()
	prev := c.current
	if c.closed.Load() || (!c.holding && c.pinned == addr) {
		c.mu.Unlock()
		return // another sentinel's announcement of the same switch
	}
	held := time.Duration(0)
	if c.holding {
		held = time.Since(c.heldAt)
	}
	c.holding = false
	if c.abort != nil {
		c.abort.Stop()
		c.abort = nil
	}
	if c.opts.Role == RoleMaster {
		c.pinned, c.pinnedAt = addr, time.Now()
	}
	c.mu.Unlock()
	director.Switch(c.ctx, c.Client, 0, 0)
	if c.opts.Role == RoleMaster {
		c.emit(Event{Type: EventMasterSwitched, Addr: addr, Prev: prev, Duration: held, Reason: reason})
	}
}

// failoverAborted releases held commands where they were.
func (c *Client) failoverAborted(reason string) {
	c.mu.Lock()
	if !c.holding {
		c.mu.Unlock()
		return
	}
	c.holding = false
	if c.abort != nil {
		c.abort.Stop()
		c.abort = nil
	}
	c.mu.Unlock()
	director.Release(c.Client)
	director.Redial(c.Client)
	c.emit(Event{Type: EventFailoverAborted, Addr: c.Addr(), Reason: reason})
}
