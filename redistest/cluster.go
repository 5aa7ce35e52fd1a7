package redistest

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// ClusterOptions configures a Redis Cluster started by StartCluster or
// NewCluster. The zero value is three masters without replicas.
type ClusterOptions struct {
	// Masters is the number of masters, among which the 16384 slots are
	// split evenly. 0 means 3.
	Masters int

	// ReplicasPerMaster is the number of replicas of each master. Replica j
	// of master i is Nodes()[Masters + i*ReplicasPerMaster + j].
	ReplicasPerMaster int

	// NodeTimeout is cluster-node-timeout: how long a node may be
	// unreachable before it is failed over. 0 means 1s, which makes a crash
	// failover take about 2.3 seconds.
	NodeTimeout time.Duration

	// Password is every node's default-user password (requirepass); nodes
	// also get it as masterauth so replicas can sync.
	Password string

	// Users are ACL users created on every node, as Options.Users.
	Users []User

	// TLS makes every node also listen with TLS (ClusterNode.TLSAddr) and
	// makes the nodes talk TLS to each other, on the cluster bus and for
	// replication (tls-cluster and tls-replication). All nodes share one
	// generated CA; Cluster.ClientTLSConfig trusts it. With TLS, CLUSTER
	// SLOTS and SHARDS name the TLS ports to TLS clients and the plain ports
	// to plain clients.
	TLS bool

	// AnnounceHostnames gives every node the hostname node<port>.redis.test
	// (cluster-announce-hostname, port being its plain port) and makes it the
	// preferred endpoint (cluster-preferred-endpoint-type hostname), so
	// CLUSTER SLOTS, CLUSTER SHARDS and MOVED and ASK redirections carry
	// hostnames that do not resolve: a client must map them to addresses,
	// as behind NAT or with split DNS. ClusterNode.Hostname returns the
	// name. Replication and the cluster bus keep using IP addresses.
	AnnounceHostnames bool

	// Config holds extra redis.conf lines for every node, written after the
	// ones redistest writes (including the cluster directives), so they
	// override them. Leave cluster-enabled, cluster-config-file and
	// cluster-port alone.
	Config []string

	// Binary and SkipIfMissing are as in Options.
	Binary        string
	SkipIfMissing bool
}

// clusterReadyTimeout bounds how long building a cluster, and
// WaitHealthy, may take.
const clusterReadyTimeout = 20 * time.Second

// pollInterval is how often redistest asks the nodes whether they are where
// it waits for them to be.
const pollInterval = 20 * time.Millisecond

// Cluster is a Redis Cluster of redis-server processes on loopback, started
// by StartCluster or NewCluster. Its methods are safe for concurrent use;
// those that report roles or slot owners ask the servers, so they see
// failovers and migrations.
type Cluster struct {
	opts   ClusterOptions
	nodes  []*ClusterNode
	dir    string
	ownDir bool
	certs  *certs // nil without TLS

	closeOnce sync.Once

	nudgeMu   sync.Mutex
	lastNudge time.Time // see nudge
}

// ClusterNode is one node of a Cluster. The embedded Server gives its
// addresses, Log, Kill (SIGKILL, as a crash) and Restart (same ports and
// directory: the node keeps its nodes.conf and rejoins the cluster).
type ClusterNode struct {
	*Server

	cluster  *Cluster
	index    int
	id       string
	hostname string

	mu   sync.Mutex // guards conn
	conn *respConn  // administrative connection, redialed after errors
}

// StartCluster starts a Redis Cluster for the test and waits until it is
// ready: every node reports cluster_state:ok with all slots covered, every
// node knows every other, and every replica is linked to its master and
// listed in CLUSTER SHARDS and CLUSTER SLOTS of every node. A cleanup stops
// the nodes and removes their files. It fails the test when the cluster
// cannot be built, with the nodes' logs in the message, or skips it with
// SkipIfMissing when there is no redis-server.
//
// Building three masters with a replica each takes well under a second.
func StartCluster(t testing.TB, opts ClusterOptions) *Cluster {
	t.Helper()
	c, err := newCluster(opts, t.TempDir(), false)
	if err != nil {
		if opts.SkipIfMissing && errors.Is(err, ErrNotInstalled) {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	ctx, cancel := context.WithTimeout(context.Background(), clusterReadyTimeout)
	defer cancel()
	if err := c.start(ctx); err != nil {
		t.Fatal(err)
	}
	return c
}

// NewCluster starts a Redis Cluster outside a test, as New does for one
// server, and waits until it is ready (see StartCluster). Its files are in a
// new directory in os.TempDir(). The caller must Close the cluster. When
// redis-server is not installed the error wraps ErrNotInstalled.
func NewCluster(opts ClusterOptions) (*Cluster, error) {
	dir, err := os.MkdirTemp("", "redistest-cluster-")
	if err != nil {
		return nil, fmt.Errorf("redistest: %w", err)
	}
	c, err := newCluster(opts, dir, true)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), clusterReadyTimeout)
	defer cancel()
	if err := c.start(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// newCluster prepares the nodes in dir without starting them.
func newCluster(opts ClusterOptions, dir string, ownDir bool) (*Cluster, error) {
	if opts.Masters == 0 {
		opts.Masters = 3
	}
	if opts.NodeTimeout == 0 {
		opts.NodeTimeout = time.Second
	}
	switch {
	case opts.Masters < 1 || opts.Masters > ClusterSlots:
		return nil, fmt.Errorf("redistest: ClusterOptions.Masters is %d; want 1 to %d", opts.Masters, ClusterSlots)
	case opts.ReplicasPerMaster < 0:
		return nil, fmt.Errorf("redistest: ClusterOptions.ReplicasPerMaster is %d; want 0 or more", opts.ReplicasPerMaster)
	case opts.NodeTimeout < time.Millisecond:
		return nil, fmt.Errorf("redistest: ClusterOptions.NodeTimeout is %v; want 1ms or more", opts.NodeTimeout)
	}
	c := &Cluster{opts: opts, dir: dir, ownDir: ownDir}
	if opts.TLS {
		var err error
		if c.certs, err = generateCerts(dir); err != nil {
			return nil, err
		}
	}
	n := opts.Masters * (1 + opts.ReplicasPerMaster)
	for i := range n {
		nodeDir := filepath.Join(dir, "node"+strconv.Itoa(i))
		if err := os.Mkdir(nodeDir, 0o700); err != nil {
			c.Close()
			return nil, fmt.Errorf("redistest: %w", err)
		}
		s, err := newServer(Options{
			Password: opts.Password,
			Users:    opts.Users,
			TLS:      opts.TLS,
			Config:   opts.Config,
			Binary:   opts.Binary,
		}, nodeDir, c.certs)
		if err != nil {
			c.Close()
			return nil, err
		}
		node := &ClusterNode{Server: s, cluster: c, index: i}
		s.cluster = node.config
		c.nodes = append(c.nodes, node)
	}
	return c, nil
}

// config adds the cluster directives to the node's redis.conf. It runs when
// the ports are known, and before the user's own lines.
func (n *ClusterNode) config(cf *config) {
	o := n.cluster.opts
	cf.set("cluster-enabled", "yes")
	cf.set("cluster-config-file", filepath.Join(n.Dir, "nodes.conf"))
	cf.setInt("cluster-node-timeout", int(o.NodeTimeout/time.Millisecond))
	// The bus port is picked free like the others: the default, port+10000,
	// may be taken or beyond 65535.
	cf.setInt("cluster-port", n.busPort)
	// A master waits 5 s by default before a diskless full sync, in case
	// more replicas come; ours come at once or one by one after a restart.
	cf.setInt("repl-diskless-sync-delay", 0)
	// Masters ping their replicas every second rather than every 10, which
	// also moves the replication offsets (see Cluster.nudge).
	cf.setInt("repl-ping-replica-period", 1)
	if o.Password != "" {
		cf.set("masterauth", o.Password)
	}
	if o.TLS {
		cf.set("tls-cluster", "yes")
		cf.set("tls-replication", "yes")
	}
	if o.AnnounceHostnames {
		n.hostname = "node" + strconv.Itoa(n.Port) + ".redis.test"
		cf.set("cluster-announce-hostname", n.hostname)
		cf.set("cluster-preferred-endpoint-type", "hostname")
	}
}

// start launches every node at once, then builds the topology. On failure
// the caller closes the cluster.
func (c *Cluster) start(ctx context.Context) error {
	errs := make([]error, len(c.nodes))
	var wg sync.WaitGroup
	for i, n := range c.nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := n.start(); err != nil {
				errs[i] = fmt.Errorf("node %d: %w", i, err)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("redistest: starting the cluster: %w", err)
	}
	if err := c.build(ctx); err != nil {
		return fmt.Errorf("redistest: building the cluster: %w%s", err, c.logs())
	}
	return nil
}

// Close stops every node and removes the files NewCluster created. Start
// registers it as a test cleanup; a cluster from NewCluster must be closed
// by its caller. Close is idempotent.
func (c *Cluster) Close() {
	c.closeOnce.Do(func() {
		var wg sync.WaitGroup
		for _, n := range c.nodes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n.dropConn()
				n.Close()
			}()
		}
		wg.Wait()
		if c.ownDir {
			os.RemoveAll(c.dir)
		}
	})
}

// logs returns every node's log, for error messages.
func (c *Cluster) logs() string {
	var b []byte
	for _, n := range c.nodes {
		b = fmt.Appendf(b, "\n---- node %d (%s) log ----\n%s", n.index, n.Addr, n.Log())
	}
	return string(b)
}

// Nodes returns every node, in the order they were created: the masters
// first, then the replicas (see ClusterOptions.ReplicasPerMaster). Roles
// change with failovers; Masters and Replicas report the current ones.
func (c *Cluster) Nodes() []*ClusterNode { return append([]*ClusterNode(nil), c.nodes...) }

// Masters returns the nodes that are masters now, as they say themselves
// (ROLE), in Nodes order. Nodes that are down or do not answer are left
// out.
func (c *Cluster) Masters() []*ClusterNode { return c.withRole("master") }

// Replicas returns the nodes that are replicas now, as Masters does.
func (c *Cluster) Replicas() []*ClusterNode { return c.withRole("replica") }

func (c *Cluster) withRole(role string) []*ClusterNode {
	var out []*ClusterNode
	for _, n := range c.nodes {
		if n.Role() == role {
			out = append(out, n)
		}
	}
	return out
}

// Addrs returns every node's plain TCP address, "127.0.0.1:port", in Nodes
// order: seed addresses for a cluster client.
func (c *Cluster) Addrs() []string {
	out := make([]string, len(c.nodes))
	for i, n := range c.nodes {
		out[i] = n.Addr
	}
	return out
}

// TLSAddrs returns every node's TLS address in Nodes order, or nil without
// ClusterOptions.TLS.
func (c *Cluster) TLSAddrs() []string {
	if c.certs == nil {
		return nil
	}
	out := make([]string, len(c.nodes))
	for i, n := range c.nodes {
		out[i] = n.TLSAddr
	}
	return out
}

// Node returns the node that listens on addr (its plain or TLS address, or
// with AnnounceHostnames its "hostname:port"), or nil.
func (c *Cluster) Node(addr string) *ClusterNode {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil
	}
	for _, n := range c.nodes {
		if addr == n.Addr || (n.TLSAddr != "" && addr == n.TLSAddr) ||
			(n.hostname != "" && host == n.hostname && (port == strconv.Itoa(n.Port) || port == strconv.Itoa(n.TLSPort))) {
			return n
		}
	}
	return nil
}

// URL returns the seed addresses as one redis:// URL in the form fastredis
// ParseUniversalURL and go-redis ParseClusterURL read:
// "redis://[:password@]127.0.0.1:p1?addr=127.0.0.1:p2&addr=...".
func (c *Cluster) URL() string { return c.url("redis", c.Addrs()) }

// TLSURL is URL with the TLS addresses and the rediss scheme, or "" without
// ClusterOptions.TLS. The client must also trust the generated CA:
// see ClientTLSConfig.
func (c *Cluster) TLSURL() string {
	if c.certs == nil {
		return ""
	}
	return c.url("rediss", c.TLSAddrs())
}

func (c *Cluster) url(scheme string, addrs []string) string {
	u := url.URL{Scheme: scheme, Host: addrs[0]}
	if c.opts.Password != "" {
		u.User = url.UserPassword("", c.opts.Password)
	}
	q := url.Values{}
	for _, a := range addrs[1:] {
		q.Add("addr", a)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// ClientTLSConfig returns a new TLS client configuration that trusts the
// CA every node's certificate is signed by (ServerName "localhost"), or nil
// without ClusterOptions.TLS.
func (c *Cluster) ClientTLSConfig() *tls.Config {
	if c.certs == nil {
		return nil
	}
	return c.certs.clientConfig(false)
}

// Kill kills the node at once with SIGKILL, as a crash would. Its master
// role, if it had one, passes to one of its replicas once the other nodes
// see it fail (about 2.3 s with the default NodeTimeout); WaitHealthy
// waits for that.
func (n *ClusterNode) Kill() {
	n.dropConn()
	n.Server.Kill()
}

// Restart starts the node again on the same ports with the same directory,
// stopping it first if it runs, and waits until it accepts connections. It
// keeps its nodes.conf, so it rejoins the cluster with its node id; a
// master that was failed over meanwhile comes back as a replica of its
// successor. Call WaitHealthy to wait until it has rejoined.
func (n *ClusterNode) Restart(t testing.TB) {
	t.Helper()
	n.dropConn()
	n.Server.Restart(t)
}

// ID returns the node's cluster node id (CLUSTER MYID). It does not change
// across Restart, since the node keeps its nodes.conf.
func (n *ClusterNode) ID() string { return n.id }

// Hostname returns the hostname the node announces with
// ClusterOptions.AnnounceHostnames, "node<port>.redis.test", or "".
func (n *ClusterNode) Hostname() string { return n.hostname }

// Role returns what the node says it is now (ROLE): "master" or "replica",
// or "" when it is down or does not answer.
func (n *ClusterNode) Role() string {
	v, err := n.do(context.Background(), "ROLE")
	if err != nil {
		return ""
	}
	a, _ := v.([]any)
	if len(a) == 0 {
		return ""
	}
	switch a[0] {
	case "master":
		return "master"
	case "slave":
		return "replica"
	}
	return ""
}

// String returns the node's address, for messages.
func (n *ClusterNode) String() string { return n.Addr }

// running reports whether the node's process is up (not killed or stopped).
func (n *ClusterNode) running() bool {
	n.Server.mu.Lock()
	defer n.Server.mu.Unlock()
	if n.proc == nil {
		return false
	}
	select {
	case <-n.proc.exited:
		return false
	default:
		return true
	}
}

// do runs one command on the node over its administrative connection,
// dialing it when needed. A connection that fails other than with an error
// reply is dropped; when it was an old one (the node may have been
// restarted since), the command is tried once more on a new connection.
func (n *ClusterNode) do(ctx context.Context, args ...string) (any, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for fresh := false; ; {
		if n.conn == nil {
			rc, err := dialResp(ctx, n.Addr, n.cluster.opts.Password)
			if err != nil {
				return nil, err
			}
			n.conn, fresh = rc, true
		}
		v, err := n.conn.do(args...)
		var re redisError
		if err == nil || errors.As(err, &re) {
			return v, err
		}
		n.conn.Close()
		n.conn = nil
		if fresh {
			return nil, err
		}
	}
}

// str runs a command whose reply is a string.
func (n *ClusterNode) str(ctx context.Context, args ...string) (string, error) {
	v, err := n.do(ctx, args...)
	if err != nil {
		return "", fmt.Errorf("%s on %s: %w", cmdName(args), n.Addr, err)
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s on %s: unexpected reply %v", cmdName(args), n.Addr, v)
	}
	return s, nil
}

// ok runs a command and returns only its error, which names it.
func (n *ClusterNode) ok(ctx context.Context, args ...string) error {
	if _, err := n.do(ctx, args...); err != nil {
		return fmt.Errorf("%s on %s: %w", cmdName(args), n.Addr, err)
	}
	return nil
}

func (n *ClusterNode) dropConn() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.conn != nil {
		n.conn.Close()
		n.conn = nil
	}
}

// cmdName is a command's name and first argument, for messages (not its
// other arguments, which may hold a password).
func cmdName(args []string) string {
	switch len(args) {
	case 0:
		return ""
	case 1:
		return args[0]
	}
	return args[0] + " " + args[1]
}
