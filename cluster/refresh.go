package cluster

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"time"

	"github.com/fastredis/fastredis/fastredis"
)

// Reading the topology. One goroutine (refresher) does it, so there is at
// most one refresh at a time, and no more often than MinRefreshInterval
// however many callers ask (requestRefresh drops a request when one is
// pending): 256 callers all getting MOVED at once cause one refresh, not
// 256. It asks up to three known masters at once over their existing
// connections and takes the first answer; only when none answers does it
// fall back to the seeds.

// requestRefresh asks for a refresh without waiting for it.
func (c *Client) requestRefresh(reason string) {
	select {
	case c.refresh <- reason:
	default: // one is pending already: it will see this change too
	}
}

// refresher runs the refreshes asked for, and one every RefreshInterval.
func (c *Client) refresher() {
	defer c.wg.Done()
	var last time.Time
	for {
		var tick <-chan time.Time
		var timer *time.Timer
		if c.opts.RefreshInterval > 0 {
			d := c.opts.RefreshInterval
			d += time.Duration(rand.Int64N(int64(d)/5 + 1))
			timer = time.NewTimer(d)
			tick = timer.C
		}
		var reason string
		select {
		case <-c.ctx.Done():
			if timer != nil {
				timer.Stop()
			}
			return
		case reason = <-c.refresh:
		case <-tick:
			reason = "interval"
		}
		if timer != nil {
			timer.Stop()
		}
		if wait := c.opts.MinRefreshInterval - time.Since(last); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-c.ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
		select { // requests that came while waiting are answered by this refresh
		case <-c.refresh:
		default:
		}
		last = time.Now()
		ctx, cancel := context.WithTimeout(c.ctx, c.refreshTimeout())
		_ = c.refreshNow(ctx, reason)
		cancel()
	}
}

func (c *Client) refreshTimeout() time.Duration {
	d := c.opts.NodeOptions.DialTimeout
	if d <= 0 || d > 5*time.Second {
		d = 5 * time.Second
	}
	return d + time.Second
}

// seedAddrs returns the seeds to ask: each as given, or, with a Resolver,
// every address its host name resolves to.
func (c *Client) seedAddrs(ctx context.Context) ([]string, []string) {
	if c.opts.Resolver == nil {
		return c.seeds, nil
	}
	var out, errs []string
	for _, s := range c.seeds {
		host, port, _ := net.SplitHostPort(s) // validated by NewClient
		if net.ParseIP(host) != nil {
			out = append(out, s)
			continue
		}
		ips, err := c.opts.Resolver(ctx, host)
		if err != nil || len(ips) == 0 {
			if err == nil {
				err = errors.New("no addresses")
			}
			errs = append(errs, s+": resolving: "+err.Error())
			continue
		}
		for _, ip := range ips {
			out = append(out, net.JoinHostPort(ip, port))
		}
	}
	return out, errs
}

// answer is one node's description of the cluster.
type answer struct {
	addr string
	topo *topology
	err  error
}

// refreshNow reads the topology and applies it.
func (c *Client) refreshNow(ctx context.Context, reason string) error {
	start := time.Now()
	c.refreshes.Add(1)
	c.lastRefresh.Store(start.UnixNano())
	var known []string
	if st := c.state.Load(); st != nil {
		for _, n := range st.masters {
			known = append(known, n.addr)
		}
		for _, n := range st.all[len(st.masters):] {
			known = append(known, n.addr)
		}
		rand.Shuffle(len(st.masters), func(i, j int) { known[i], known[j] = known[j], known[i] })
	}
	var errs []string
	topo, addr, errs := c.ask(ctx, known, 3)
	if topo == nil {
		seeds, resolveErrs := c.seedAddrs(ctx)
		errs = append(errs, resolveErrs...)
		var seedErrs []string
		topo, addr, seedErrs = c.ask(ctx, seeds, len(seeds))
		errs = append(errs, seedErrs...)
	}
	if topo == nil {
		err := fmt.Errorf("fastredis/cluster: no node answered with the topology: %s", describeSeeds(errs))
		if ctx.Err() != nil && len(errs) == 0 {
			err = fmt.Errorf("fastredis/cluster: reading the topology: %w", ctx.Err())
		}
		c.lastErr.Store(&err)
		c.emit(Event{Type: EventRefreshFailed, Reason: reason, Err: err})
		return err
	}
	changed := c.apply(topo)
	c.emit(Event{Type: EventRefreshed, Reason: reason, Addr: addr, Duration: time.Since(start), Changed: changed})
	return nil
}

// ask queries addrs, parallel at most at a time, and returns the first
// topology one of them gives, or why each failed.
func (c *Client) ask(ctx context.Context, addrs []string, parallel int) (*topology, string, []string) {
	if len(addrs) == 0 {
		return nil, "", nil
	}
	parallel = max(1, min(parallel, len(addrs)))
	results := make(chan answer, len(addrs))
	next := 0
	running := 0
	start := func() {
		addr := addrs[next]
		next++
		running++
		go func() { results <- c.askOne(ctx, addr) }()
	}
	for running < parallel && next < len(addrs) {
		start()
	}
	var errs []string
	for running > 0 {
		a := <-results
		running--
		if a.err == nil {
			// The others finish on their own; their results are dropped.
			return a.topo, a.addr, errs
		}
		errs = append(errs, a.addr+": "+a.err.Error())
		if next < len(addrs) {
			start()
		}
	}
	return nil, "", errs
}

// askOne reads the topology from one node: CLUSTER SHARDS, or CLUSTER
// SLOTS on a server without it.
func (c *Client) askOne(ctx context.Context, addr string) answer {
	n, err := c.nodeFor(addr)
	if err != nil {
		return answer{addr: addr, err: err}
	}
	tls := c.opts.NodeOptions.TLSConfig != nil
	r, err := n.client.ClusterShards(ctx)
	var shards []shardInfo
	via := "CLUSTER SHARDS"
	if err == nil {
		shards, err = parseShards(r, tls, c.opts.mapAddr)
	} else if isUnknownCommand(err) {
		via = "CLUSTER SLOTS"
		if r, err = n.client.ClusterSlots(ctx); err == nil {
			shards, err = parseSlots(r, c.opts.mapAddr)
		}
	}
	if err != nil {
		return answer{addr: addr, err: err}
	}
	t, err := newTopology(shards, addr, via)
	if err != nil {
		return answer{addr: addr, err: err}
	}
	return answer{addr: addr, topo: t}
}

func isUnknownCommand(err error) bool {
	var e *fastredis.Error
	return errors.As(err, &e) && e.Prefix == "ERR" && (containsFold(e.Message, "unknown command") || containsFold(e.Message, "unknown subcommand"))
}

// apply makes topo the routing table, adding clients for new nodes and
// retiring those that left; it reports whether routing changed.
func (c *Client) apply(t *topology) bool {
	old := c.state.Load()
	st := &state{topo: t}
	for _, si := range t.shards {
		m, err := c.nodeFor(si.master.Addr)
		if err != nil {
			continue // closed meanwhile
		}
		sh := &shard{master: m}
		for _, r := range si.replicas {
			if rn, err := c.nodeFor(r.Addr); err == nil {
				sh.replicas = append(sh.replicas, rn)
			}
		}
		st.shards = append(st.shards, sh)
		st.masters = append(st.masters, m)
	}
	st.all = append(st.all, st.masters...)
	for _, sh := range st.shards {
		st.all = append(st.all, sh.replicas...)
	}
	for slot, si := range t.slots {
		if si >= 0 && int(si) < len(st.shards) {
			st.slots[slot].Store(st.shards[si])
		}
	}
	c.state.Store(st)
	changed := old == nil || !t.sameAs(old.topo)
	if changed {
		c.retire(old, st)
	}
	return changed
}

// retire reports the nodes that joined and left, and closes the clients of
// those that left after CloseGrace (unless they came back meanwhile).
func (c *Client) retire(old, cur *state) {
	in := map[string]bool{}
	for _, n := range cur.all {
		in[n.addr] = true
	}
	was := map[string]bool{}
	if old != nil {
		for _, n := range old.all {
			was[n.addr] = true
		}
	}
	for i, n := range cur.all {
		if !was[n.addr] {
			c.emit(Event{Type: EventNodeAdded, Addr: n.addr, Master: i < len(cur.masters)})
		}
	}
	c.mu.Lock()
	var gone []*node
	for addr, n := range c.nodes {
		if !in[addr] {
			gone = append(gone, n)
		}
	}
	c.mu.Unlock()
	for _, n := range gone {
		if was[n.addr] {
			c.emit(Event{Type: EventNodeRemoved, Addr: n.addr})
		}
		n := n
		time.AfterFunc(c.opts.CloseGrace, func() { c.closeIfGone(n) })
	}
}

// closeIfGone closes a node's client if the node is still out of the
// topology.
func (c *Client) closeIfGone(n *node) {
	if st := c.state.Load(); st != nil {
		for _, m := range st.all {
			if m == n {
				return
			}
		}
	}
	c.mu.Lock()
	if c.nodes[n.addr] == n {
		delete(c.nodes, n.addr)
	}
	c.mu.Unlock()
	n.removed.Store(true)
	n.client.Close()
}

func containsFold(s, sub string) bool {
	return len(s) >= len(sub) && indexFold(s, sub) >= 0
}

func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if equalFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func equalFold(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
