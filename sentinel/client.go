package sentinel

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/internal/director"
	"github.com/fastredis/fastredis/internal/route"
)

// Client is a client for the master (or a replica) of a group the
// sentinels monitor, safe for concurrent use. It is a fastredis.Client in
// every respect (typed methods, pipelines, transactions, scripts, pub/sub,
// scan, blocking commands, reconnects), embedded: the sentinels only decide
// which address each connection dials, and when every connection moves.
type Client struct {
	*fastredis.Client

	opts      Options
	sentinels *sentinels

	mu       sync.Mutex
	current  string    // the address the client's connections go to
	pinned   string    // the new master a +switch-master named, trusted for a while
	pinnedAt time.Time // when
	holding  bool      // new writes are held: a failover is under way
	heldAt   time.Time
	abort    *time.Timer

	hooks any // fastredis.Options carrying the hooks, for route.EmitEvent

	discovering atomic.Bool
	closed      atomic.Bool
	ctx         context.Context
	cancel      context.CancelFunc
	wg          sync.WaitGroup
}

// NewClient asks the sentinels for the master (or a replica, with
// RoleReplica), connects to it and checks its role, and starts watching
// every sentinel for failovers. It returns an error if the options are
// invalid, if no sentinel answers (naming each and why), or if the node
// cannot be reached.
func NewClient(opts Options) (*Client, error) {
	o, err := opts.validate()
	if err != nil {
		return nil, err
	}
	c := &Client{opts: o}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	// One hook registry for the data connections and the sentinels'.
	node := route.NewHooks(o.NodeOptions).(fastredis.Options)
	c.hooks = node
	c.sentinels = newSentinels(&c.opts)
	c.sentinels.onNew = c.watch
	c.sentinels.hooks = node
	node.Addr = "sentinel:" + o.MasterName // names the target in events; never dialled
	node.Network = "tcp"
	cl, err := director.NewClient(node, (*directorOf)(c))
	if err != nil {
		c.sentinels.close()
		c.cancel()
		return nil, err
	}
	c.Client = cl.(*fastredis.Client)
	// Watch the sentinels known so far (those found later are watched
	// when first used).
	for _, a := range c.sentinels.list() {
		c.sentinels.client(a)
	}
	return c, nil
}

// Close closes the data connections and the sentinels'.
func (c *Client) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	c.cancel()
	c.mu.Lock()
	if c.abort != nil {
		c.abort.Stop()
	}
	c.mu.Unlock()
	err := c.Client.Close()
	c.sentinels.close()
	c.wg.Wait()
	return err
}

// Addr returns the address the client's connections go to now.
func (c *Client) Addr() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.current
}

// directorOf is the client as the fastredis.Client's director.
type directorOf Client

// Addr picks the address of the next connection.
func (d *directorOf) Addr(ctx context.Context) (string, error) {
	c := (*Client)(d)
	if c.opts.Role == RoleMaster {
		c.mu.Lock()
		pinned := c.pinned
		if pinned != "" && time.Since(c.pinnedAt) > c.opts.FailoverTimeout {
			pinned, c.pinned = "", "" // the sentinels agree by now
		}
		c.mu.Unlock()
		if pinned != "" {
			c.setCurrent(pinned)
			return pinned, nil
		}
		addr, err := c.masterAddr(ctx)
		if err == nil {
			c.setCurrent(addr)
		}
		return addr, err
	}
	usable, err := c.replicaAddrs(ctx)
	if err != nil {
		return "", err
	}
	if addr := c.pickReplica(usable); addr != "" {
		c.setCurrent(addr)
		return addr, nil
	}
	if !c.opts.ReplicaFallback {
		return "", fmt.Errorf("fastredis/sentinel: no usable replica of %q (ReplicaFallback is off)", c.opts.MasterName)
	}
	addr, err := c.masterAddr(ctx)
	if err == nil {
		c.setCurrent(addr)
	}
	return addr, err
}

// Check drops a connection to a server of the wrong role.
func (d *directorOf) Check(ctx context.Context, addr, role string) error {
	c := (*Client)(d)
	want := c.opts.Role.serverRole()
	if role == want || (c.opts.Role == RoleReplica && c.opts.ReplicaFallback && role == "master") {
		return nil
	}
	c.emit(Event{Type: EventRoleMismatch, Addr: addr, Reason: role})
	c.mu.Lock()
	if c.pinned == addr {
		c.pinned = ""
	}
	c.mu.Unlock()
	return fmt.Errorf("fastredis/sentinel: %s is a %s, not a %s (the sentinels will be asked again)", addr, role, want)
}

func (c *Client) setCurrent(addr string) {
	c.mu.Lock()
	c.current = addr
	c.mu.Unlock()
}

// The sentinel client is a UniversalClient: code written against it runs
// on one server, a cluster or behind sentinels.
var _ fastredis.UniversalClient = (*Client)(nil)

func registerUniversal() {
	director.NewSentinel = func(masterName string, sentinels []string, nodeOptions any) (any, error) {
		o, ok := nodeOptions.(fastredis.Options)
		if !ok {
			return nil, errors.New("fastredis/sentinel: node options are not a fastredis.Options")
		}
		o.Addr = ""
		return NewClient(Options{MasterName: masterName, Sentinels: sentinels, NodeOptions: o})
	}
}

// NewSentinelClient connects to one sentinel (opts.Addr), for the SENTINEL
// commands as typed methods: Masters, Master, Replicas, Sentinels,
// GetMasterAddrByName, Failover, Reset, CKQuorum, Monitor, Remove, Set, ...
func NewSentinelClient(opts fastredis.Options) (*fastredis.SentinelClient, error) {
	return fastredis.NewSentinelClient(opts)
}
