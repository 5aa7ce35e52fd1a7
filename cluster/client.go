package cluster

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/internal/keyspec"
	"github.com/fastredis/fastredis/internal/route"
)

// Client is a Redis Cluster client, safe for concurrent use. It has every
// typed command method of fastredis.Client, and Do and Exec: it embeds a
// routed view of a fastredis.Client, whose commands come to this package's
// router instead of a connection, so the methods exist once (and calls
// stay direct: a value passed as any stays on the caller's stack, as with a
// fastredis.Client). Pipelines, transactions on one slot, WATCH,
// subscriptions, scans and MONITOR have cluster forms (pipeline.go,
// pubsub.go, scan.go, monitor.go); SELECT returns an error matching
// errors.ErrUnsupported. Each command goes to the node that serves its
// keys' slot; commands without keys to a master chosen at random; commands
// the specs mark as
// fanning out (KEYS, DBSIZE, FLUSHALL, SCRIPT LOAD, ...) to every master or
// node, their replies merged as the specs say; and MGET, MSET, DEL, EXISTS,
// UNLINK and TOUCH across slots are split per slot and merged in order.
type Client struct {
	*fastredis.Client

	view *fastredis.Client
	opts Options

	state atomic.Pointer[state]

	mu    sync.Mutex
	nodes map[string]*node // by address: every node the client has a client for
	seeds []string

	refresh     chan string // refresh requests, by reason
	refreshes   atomic.Int64
	lastRefresh atomic.Int64          // when the last refresh started, in Unix nanoseconds
	lastErr     atomic.Pointer[error] // the last refresh failure

	jobs    chan job // pipeline groups and split batches for the workers
	workers atomic.Int32

	subMu sync.Mutex
	sub   *fastredis.Client // the subscribers' client (pubsub.go), made on first use

	closed atomic.Bool
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// node is one cluster node and the fastredis client that talks to it.
type node struct {
	addr    string
	client  *fastredis.Client
	removed atomic.Bool
}

// shard is what serves a slot: its master, and the replicas that serve
// reads.
type shard struct {
	master   *node
	replicas []*node
}

// state is the routing table built from one topology.
type state struct {
	topo    *topology
	shards  []*shard
	slots   [keyspec.SlotCount]atomic.Pointer[shard]
	masters []*node
	all     []*node
}

func init() {
	route.NewCluster = func(addrs []string, nodeOptions any) (any, error) {
		o, ok := nodeOptions.(fastredis.Options)
		if !ok {
			return nil, errors.New("fastredis/cluster: node options are not a fastredis.Options")
		}
		o.Addr = ""
		return NewClient(Options{Addrs: addrs, NodeOptions: o})
	}
}

// NewClient connects to the cluster through its seed nodes: it reads the
// topology from the first that answers, and returns an error naming every
// seed and why it failed when none does. Options are checked first; an
// empty seed list is an error.
func NewClient(opts Options) (*Client, error) {
	return NewClientContext(context.Background(), opts)
}

// NewClientContext is NewClient with a context that bounds the first
// topology read.
func NewClientContext(ctx context.Context, opts Options) (*Client, error) {
	o, err := opts.validate()
	if err != nil {
		return nil, err
	}
	tmpl := o.NodeOptions
	tmpl.Addr = "cluster" // the view never dials
	c := &Client{opts: o, nodes: map[string]*node{}, seeds: append([]string(nil), o.Addrs...), refresh: make(chan string, 1)}
	vc, err := route.NewClient((*router)(c), tmpl)
	if err != nil {
		return nil, err
	}
	c.view = vc.(*fastredis.Client)
	c.Client = c.view
	c.ctx, c.cancel = context.WithCancel(context.Background())
	if err := c.refreshNow(ctx, "startup"); err != nil {
		c.Close()
		return nil, err
	}
	c.wg.Add(1)
	go c.refresher()
	c.startWorkers()
	return c, nil
}

// Close closes every node's connections. Commands in flight end with an
// error; later ones with fastredis.ErrClosed.
func (c *Client) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	if c.cancel != nil {
		c.cancel()
	}
	c.wg.Wait()
	c.mu.Lock()
	nodes := c.nodes
	c.nodes = map[string]*node{}
	c.mu.Unlock()
	for _, n := range nodes {
		n.client.Close()
	}
	c.subMu.Lock()
	if c.sub != nil {
		c.sub.Close()
	}
	c.subMu.Unlock()
	return nil
}

// Do runs any command by name, routed like the typed methods (see
// fastredis.Client.Do).
func (c *Client) Do(ctx context.Context, args ...any) (fastredis.Reply, error) {
	return c.view.Do(ctx, args...)
}

// Exec runs a Cmd, routed like the typed methods, without allocating on the
// way to its node (see fastredis.Client.Exec).
func (c *Client) Exec(ctx context.Context, cmd *fastredis.Cmd) error {
	return c.view.Exec(ctx, cmd)
}

// Slot returns the hash slot of key, as CLUSTER KEYSLOT computes it (CRC16
// of the key, or of its hash tag: the part between the first { and the
// next }, when not empty).
func Slot(key string) int { return keyspec.Slot(key) }

// Role selects nodes by role.
type Role int

const (
	Masters  Role = iota // every master
	Replicas             // every replica
	AllNodes             // every node
)

// Nodes returns a client for each node of the current topology with role,
// masters first. The clients belong to the cluster client: do not close
// them. They are plain fastredis.Clients for one node each, for what the
// cluster client does not route (CLUSTER administration, a per-node SCAN,
// MONITOR, ...).
func (c *Client) Nodes(role Role) []*fastredis.Client {
	st := c.state.Load()
	if st == nil {
		return nil
	}
	var out []*fastredis.Client
	if role == Masters || role == AllNodes {
		for _, n := range st.masters {
			out = append(out, n.client)
		}
	}
	if role == Replicas || role == AllNodes {
		for _, s := range st.shards {
			for _, r := range s.replicas {
				out = append(out, r.client)
			}
		}
	}
	return out
}

// ForEachNode calls fn for every node with role, concurrently, and returns
// the first error (every call runs to its end).
func (c *Client) ForEachNode(ctx context.Context, role Role, fn func(ctx context.Context, node *fastredis.Client) error) error {
	nodes := c.Nodes(role)
	if len(nodes) == 0 {
		return errors.New("fastredis/cluster: no node with that role")
	}
	errs := make([]error, len(nodes))
	var wg sync.WaitGroup
	for i, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn(ctx, n)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Topology returns the nodes of the current topology, by shard: each
// shard's master first, then its replicas.
func (c *Client) Topology() [][]NodeInfo {
	st := c.state.Load()
	if st == nil {
		return nil
	}
	out := make([][]NodeInfo, len(st.topo.shards))
	for i, s := range st.topo.shards {
		out[i] = append([]NodeInfo{s.master}, s.replicas...)
	}
	return out
}

// nodeFor returns the node at addr, making its client the first time.
func (c *Client) nodeFor(addr string) (*node, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed.Load() {
		return nil, fastredis.ErrClosed
	}
	if n, ok := c.nodes[addr]; ok && !n.removed.Load() {
		return n, nil
	}
	opts := c.opts.nodeOptions(addr)
	// The cluster client is the one that retries: a node that cannot be
	// reached fails its commands at once, so they can go where the slot is
	// served now.
	opts.MaxRetriesPerRequest = fastredis.NoRetries
	userEvent := opts.OnEvent
	opts.OnEvent = func(ev fastredis.Event) {
		if userEvent != nil {
			userEvent(ev)
		}
		if ev.Type == fastredis.EventClose {
			c.requestRefresh("connection lost") // the node may have failed over
		}
	}
	opts = route.ShareHooks(c.view, opts).(fastredis.Options) // AddHook on the cluster client reaches every node
	cl, err := route.NewNode(opts, c.opts.ScaleReads != ReadMasters)
	if err != nil {
		return nil, fmt.Errorf("fastredis/cluster: node %s: %w", addr, err)
	}
	n := &node{addr: addr, client: cl.(*fastredis.Client)}
	c.nodes[addr] = n
	return n, nil
}

// pick returns the node that runs a command of slot (keyed) or any master.
func (c *Client) pick(slot int, keyed, readOnly bool) (*node, error) {
	st := c.state.Load()
	if st == nil || len(st.masters) == 0 {
		return nil, errors.New("fastredis/cluster: no topology yet")
	}
	if !keyed {
		return st.masters[rand.IntN(len(st.masters))], nil
	}
	sh := st.slots[slot].Load()
	if sh == nil || sh.master == nil {
		return nil, fmt.Errorf("fastredis/cluster: slot %d is not served by any node", slot)
	}
	if !readOnly || c.opts.ScaleReads == ReadMasters {
		return sh.master, nil
	}
	switch c.opts.ScaleReads {
	case ReadReplicas:
		if len(sh.replicas) == 0 {
			return sh.master, nil
		}
		return sh.replicas[rand.IntN(len(sh.replicas))], nil
	case ReadAll:
		i := rand.IntN(len(sh.replicas) + 1)
		if i == 0 {
			return sh.master, nil
		}
		return sh.replicas[i-1], nil
	}
	nodes := make([]NodeInfo, 0, 1+len(sh.replicas))
	nodes = append(nodes, NodeInfo{Addr: sh.master.addr, Master: true, Health: "online"})
	for _, r := range sh.replicas {
		nodes = append(nodes, NodeInfo{Addr: r.addr, Health: "online"})
	}
	i := c.opts.ReadFunc(slot, nodes)
	if i <= 0 || i > len(sh.replicas) {
		return sh.master, nil
	}
	return sh.replicas[i-1], nil
}

// moved patches the slot to the node a MOVED named, at once, and asks for
// a refresh: the rest of the map probably changed too.
func (c *Client) moved(slot int, addr string) (*node, error) {
	n, err := c.nodeFor(addr)
	if err != nil {
		return nil, err
	}
	if st := c.state.Load(); st != nil && slot >= 0 && slot < keyspec.SlotCount {
		if cur := st.slots[slot].Load(); cur == nil || cur.master != n {
			st.slots[slot].Store(&shard{master: n})
		}
	}
	c.requestRefresh("MOVED")
	return n, nil
}

// describeSeeds is used in errors about the seeds.
func describeSeeds(errs []string) string { return strings.Join(errs, "; ") }

// backoff is the wait before retry attempt n (1-based) of TRYAGAIN,
// CLUSTERDOWN or an unreachable node: 10ms doubling to 320ms, plus up to
// half again of jitter, so many callers do not retry in step.
func backoff(n int) time.Duration {
	d := 10 * time.Millisecond << min(n-1, 5)
	return d + time.Duration(rand.Int64N(int64(d/2)+1))
}

// The cluster client is a UniversalClient: code written against it runs on
// one server or a cluster (fastredis.NewUniversalClient picks).
var _ fastredis.UniversalClient = (*Client)(nil)
