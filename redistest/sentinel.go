package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// SentinelOptions configures a group started by StartSentinel or
// NewSentinel: a master, its replicas, and the sentinels that watch them.
// The zero value is a master, 2 replicas and 3 sentinels (quorum 2) with
// short timeouts, so that a failover takes about 2 s.
type SentinelOptions struct {
	// MasterName is the name the sentinels monitor the master under;
	// "mymaster" when empty.
	MasterName string
	// Replicas is the number of replicas (default 2); Sentinels the number
	// of sentinels (default 3); Quorum the sentinels that must agree the
	// master is down (default: a majority).
	Replicas  int
	Sentinels int
	Quorum    int
	// DownAfter (down-after-milliseconds, default 1s) and FailoverTimeout
	// (failover-timeout, default 3s).
	DownAfter       time.Duration
	FailoverTimeout time.Duration
	// Password is the data nodes' password (requirepass and masterauth;
	// the sentinels get it as auth-pass). SentinelPassword is the
	// sentinels' own (requirepass and sentinel-pass).
	Password         string
	SentinelPassword string
	// Config holds extra lines for the data nodes' configuration,
	// SentinelConfig for the sentinels'.
	Config         []string
	SentinelConfig []string
	// AnnounceHostnames makes the group speak in host names: the master is
	// monitored as "localhost", replicas announce "localhost", and the
	// sentinels resolve and announce host names (resolve-hostnames,
	// announce-hostnames), so GET-MASTER-ADDR-BY-NAME and SENTINEL REPLICAS
	// return localhost:<port>, an address a client may have to map (NAT
	// tests).
	AnnounceHostnames bool
	// Binary is the redis-server used for data nodes and sentinels alike
	// (sentinels run as redis-server --sentinel); as in Options.
	Binary string
	// SkipIfMissing skips the test when redis-server is not installed.
	SkipIfMissing bool
}

// SentinelGroup is a running group. Its methods are safe for concurrent
// use.
type SentinelGroup struct {
	opts      SentinelOptions
	dir       string
	ownDir    bool
	data      []*Server // the master first, as started; roles change with failovers
	sentinels []*SentinelNode
}

// SentinelNode is one sentinel of a group.
type SentinelNode struct {
	*Server
	id string
}

// StartSentinel starts a group for the test and waits until every sentinel
// sees the master, every replica and the other sentinels; it registers a
// cleanup that stops everything.
func StartSentinel(t testing.TB, opts SentinelOptions) *SentinelGroup {
	t.Helper()
	g, err := newSentinel(opts, t.TempDir(), false)
	if err != nil {
		if errors.Is(err, ErrNotInstalled) && opts.SkipIfMissing {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	t.Cleanup(g.Close)
	return g
}

// NewSentinel is StartSentinel without a test: Close the group when done.
func NewSentinel(opts SentinelOptions) (*SentinelGroup, error) {
	dir, err := os.MkdirTemp("", "redistest-sentinel-")
	if err != nil {
		return nil, err
	}
	return newSentinel(opts, dir, true)
}

func newSentinel(opts SentinelOptions, dir string, ownDir bool) (*SentinelGroup, error) {
	if opts.MasterName == "" {
		opts.MasterName = "mymaster"
	}
	if opts.Replicas <= 0 {
		opts.Replicas = 2
	}
	if opts.Sentinels <= 0 {
		opts.Sentinels = 3
	}
	if opts.Quorum <= 0 {
		opts.Quorum = opts.Sentinels/2 + 1
	}
	if opts.DownAfter <= 0 {
		opts.DownAfter = time.Second
	}
	if opts.FailoverTimeout <= 0 {
		opts.FailoverTimeout = 3 * time.Second
	}
	g := &SentinelGroup{opts: opts, dir: dir, ownDir: ownDir}
	if err := g.start(); err != nil {
		g.Close()
		return nil, err
	}
	return g, nil
}

// start starts the master, the replicas, then the sentinels (which are
// told of each other and of the replicas, so none waits for discovery),
// and waits until the group is consistent.
func (g *SentinelGroup) start() error {
	o := g.opts
	nodeOpts := func(extra ...string) Options {
		cfg := append([]string(nil), extra...)
		if o.Password != "" {
			cfg = append(cfg, "masterauth "+quoteConfigArg(o.Password))
		}
		// No 5 s wait for more replicas before a full sync.
		cfg = append(cfg, "repl-ping-replica-period 1", "repl-diskless-sync-delay 0")
		return Options{Password: o.Password, Binary: o.Binary, Config: append(cfg, o.Config...)}
	}
	master, err := g.startNode("master", nodeOpts())
	if err != nil {
		return err
	}
	host := "127.0.0.1"
	if o.AnnounceHostnames {
		host = "localhost"
	}
	for i := 0; i < o.Replicas; i++ {
		extra := []string{"replicaof 127.0.0.1 " + strconv.Itoa(master.Port)}
		if o.AnnounceHostnames {
			extra = append(extra, "replica-announce-ip localhost")
		}
		if _, err := g.startNode("replica"+strconv.Itoa(i), nodeOpts(extra...)); err != nil {
			return err
		}
	}
	// Sentinels: ports first, so each can be told of the others.
	ports, err := freePorts(o.Sentinels)
	if err != nil {
		return err
	}
	ids := make([]string, o.Sentinels)
	for i := range ids {
		ids[i] = randomID()
	}
	for i := 0; i < o.Sentinels; i++ {
		sdir := filepath.Join(g.dir, "sentinel"+strconv.Itoa(i))
		if err := os.MkdirAll(sdir, 0o700); err != nil {
			return err
		}
		s, err := newServer(Options{Password: o.SentinelPassword, Binary: o.Binary, Config: o.SentinelConfig}, sdir, nil)
		if err != nil {
			return err
		}
		node := &SentinelNode{Server: s, id: ids[i]}
		g.sentinels = append(g.sentinels, node)
		s.sentinel = func(c *config) {
			name := o.MasterName
			c.set("sentinel", "myid", ids[i])
			if o.AnnounceHostnames {
				c.set("sentinel", "resolve-hostnames", "yes")
				c.set("sentinel", "announce-hostnames", "yes")
			}
			c.set("sentinel", "monitor", name, host, strconv.Itoa(master.Port), strconv.Itoa(o.Quorum))
			c.set("sentinel", "down-after-milliseconds", name, strconv.FormatInt(o.DownAfter.Milliseconds(), 10))
			c.set("sentinel", "failover-timeout", name, strconv.FormatInt(o.FailoverTimeout.Milliseconds(), 10))
			c.set("sentinel", "parallel-syncs", name, "1")
			if o.Password != "" {
				c.set("sentinel", "auth-pass", name, o.Password)
			}
			if o.SentinelPassword != "" {
				c.set("sentinel", "sentinel-pass", o.SentinelPassword)
			}
			for _, r := range g.data[1:] {
				c.set("sentinel", "known-replica", name, host, strconv.Itoa(r.Port))
			}
			for j, p := range ports {
				if j != i {
					c.set("sentinel", "known-sentinel", name, "127.0.0.1", strconv.Itoa(p), ids[j])
				}
			}
		}
	}
	// Started together, so none marks the others down while they start.
	errs := make([]error, len(g.sentinels))
	var wg sync.WaitGroup
	for i, node := range g.sentinels {
		wg.Add(1)
		go func() {
			defer wg.Done()
			port := ports[i]
			if err := node.launch(func(int) ([]int, error) { return []int{port}, nil }); err != nil {
				errs[i] = fmt.Errorf("redistest: starting sentinel %d: %w", i, err)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := g.waitHealthy(ctx, master.Addr); err != nil {
		return fmt.Errorf("%w\n%s", err, g.logs())
	}
	return nil
}

func (g *SentinelGroup) startNode(name string, opts Options) (*Server, error) {
	dir := filepath.Join(g.dir, name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	s, err := newServer(opts, dir, nil)
	if err != nil {
		return nil, err
	}
	g.data = append(g.data, s)
	if err := s.start(); err != nil {
		return nil, err
	}
	return s, nil
}

func portOf(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

func randomID() string {
	var b [20]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Close stops every process of the group and removes its files.
func (g *SentinelGroup) Close() {
	var wg sync.WaitGroup
	for _, s := range g.sentinels {
		wg.Add(1)
		go func() { defer wg.Done(); s.Close() }()
	}
	for _, s := range g.data {
		wg.Add(1)
		go func() { defer wg.Done(); s.Close() }()
	}
	wg.Wait()
	if g.ownDir {
		os.RemoveAll(g.dir)
	}
}

func (g *SentinelGroup) logs() string {
	var b strings.Builder
	for i, s := range g.data {
		fmt.Fprintf(&b, "---- data node %d (%s) ----\n%s\n", i, s.Addr, s.Log())
	}
	for i, s := range g.sentinels {
		fmt.Fprintf(&b, "---- sentinel %d (%s) ----\n%s\n", i, s.Addr, s.Log())
	}
	return b.String()
}

// MasterName is the name the sentinels monitor the master under.
func (g *SentinelGroup) MasterName() string { return g.opts.MasterName }

// SentinelAddrs returns the sentinels' addresses.
func (g *SentinelGroup) SentinelAddrs() []string {
	out := make([]string, len(g.sentinels))
	for i, s := range g.sentinels {
		out[i] = s.Addr
	}
	return out
}

// Sentinels returns the sentinels.
func (g *SentinelGroup) Sentinels() []*SentinelNode {
	return append([]*SentinelNode(nil), g.sentinels...)
}

// DataNodes returns the master and replicas, as started (roles change).
func (g *SentinelGroup) DataNodes() []*Server { return append([]*Server(nil), g.data...) }

// MasterAddr asks the sentinels where the master is.
func (g *SentinelGroup) MasterAddr(ctx context.Context) (string, error) {
	var errs []string
	for _, s := range g.sentinels {
		addr, err := g.askMaster(ctx, s)
		if err == nil {
			return addr, nil
		}
		errs = append(errs, s.Addr+": "+err.Error())
	}
	return "", fmt.Errorf("redistest: no sentinel answered: %s", strings.Join(errs, "; "))
}

func (g *SentinelGroup) askMaster(ctx context.Context, s *SentinelNode) (string, error) {
	rc, err := dialResp(ctx, s.Addr, g.opts.SentinelPassword)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	v, err := rc.do("SENTINEL", "GET-MASTER-ADDR-BY-NAME", g.opts.MasterName)
	if err != nil {
		return "", err
	}
	a, ok := v.([]any)
	if !ok || len(a) != 2 {
		return "", fmt.Errorf("GET-MASTER-ADDR-BY-NAME replied %v", v)
	}
	return net.JoinHostPort(fmt.Sprint(a[0]), fmt.Sprint(a[1])), nil
}

// Master returns the data node the sentinels name as master.
func (g *SentinelGroup) Master() *Server {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	addr, err := g.MasterAddr(ctx)
	if err != nil {
		return nil
	}
	return g.node(addr)
}

// Replicas returns the data nodes that are not the master.
func (g *SentinelGroup) Replicas() []*Server {
	m := g.Master()
	var out []*Server
	for _, s := range g.data {
		if s != m {
			out = append(out, s)
		}
	}
	return out
}

// node finds a data node by the address a sentinel gave (its port: with
// AnnounceHostnames the host is a name).
func (g *SentinelGroup) node(addr string) *Server {
	for _, s := range g.data {
		if strconv.Itoa(s.Port) == portOf(addr) {
			return s
		}
	}
	return nil
}

// Failover runs SENTINEL FAILOVER and waits until every sentinel names a
// new master that says it is one; it returns the new master.
func (g *SentinelGroup) Failover(t testing.TB) *Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	old, err := g.MasterAddr(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := dialResp(ctx, g.sentinels[0].Addr, g.opts.SentinelPassword)
	if err != nil {
		t.Fatal(err)
	}
	_, err = rc.do("SENTINEL", "FAILOVER", g.opts.MasterName)
	rc.Close()
	if err != nil {
		t.Fatalf("redistest: SENTINEL FAILOVER: %v", err)
	}
	return g.WaitFailover(t, old)
}

// KillMaster kills the master (SIGKILL) and returns it, so a test can
// Restart it: it comes back as a replica of the new master.
func (g *SentinelGroup) KillMaster() *Server {
	m := g.Master()
	if m != nil {
		m.Kill()
	}
	return m
}

// WaitFailover waits until every sentinel names a master other than old,
// and that node says it is a master; it returns it.
func (g *SentinelGroup) WaitFailover(t testing.TB, old string) *Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		addr, agreed := g.agreedMaster(ctx)
		if agreed && addr != old && g.role(ctx, addr) == "master" {
			return g.node(addr)
		}
		if ctx.Err() != nil {
			t.Fatalf("redistest: no failover from %s within 30s\n%s", old, g.logs())
		}
		time.Sleep(20 * time.Millisecond) // sentinels announce nothing we read: polled
	}
}

// agreedMaster returns the master every live sentinel names.
func (g *SentinelGroup) agreedMaster(ctx context.Context) (string, bool) {
	addr := ""
	for _, s := range g.sentinels {
		if !s.running() {
			continue
		}
		a, err := g.askMaster(ctx, s)
		if err != nil || (addr != "" && a != addr) {
			return "", false
		}
		addr = a
	}
	return addr, addr != ""
}

func (g *SentinelGroup) role(ctx context.Context, addr string) string {
	rc, err := dialResp(ctx, addr, g.opts.Password)
	if err != nil {
		return ""
	}
	defer rc.Close()
	v, err := rc.do("ROLE")
	if err != nil {
		return ""
	}
	if a, ok := v.([]any); ok && len(a) > 0 {
		return fmt.Sprint(a[0])
	}
	return ""
}

// WaitHealthy waits until every sentinel sees the master, the replicas
// and the other sentinels.
func (g *SentinelGroup) WaitHealthy(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	addr, err := g.MasterAddr(ctx)
	if err == nil {
		err = g.waitHealthy(ctx, addr)
	}
	if err != nil {
		t.Fatalf("%v\n%s", err, g.logs())
	}
}

func (g *SentinelGroup) waitHealthy(ctx context.Context, master string) error {
	want := map[string]string{
		"num-slaves":          strconv.Itoa(len(g.data) - 1),
		"num-other-sentinels": strconv.Itoa(len(g.sentinels) - 1),
		"flags":               "master",
	}
	for {
		ok := true
		var why string
		for _, s := range g.sentinels {
			fields, err := g.masterFields(ctx, s)
			if err != nil {
				ok, why = false, s.Addr+": "+err.Error()
				break
			}
			if fields["port"] != portOf(master) {
				ok, why = false, s.Addr+" names another master"
				break
			}
			for k, v := range want {
				if fields[k] != v {
					ok, why = false, fmt.Sprintf("%s: %s is %q, want %q", s.Addr, k, fields[k], v)
				}
			}
		}
		if ok {
			for _, s := range g.data {
				if strconv.Itoa(s.Port) != portOf(master) && !strings.Contains(g.info(ctx, s.Addr), "master_link_status:up") {
					ok, why = false, s.Addr+": replication link not up"
				}
			}
		}
		if ok {
			// The master's side too: a replica that says its link is up may
			// still be waiting there for its RDB (state=wait_bgsave), and
			// then gets no writes: promoted, it would have none of them.
			minfo := ""
			for _, s := range g.data {
				if strconv.Itoa(s.Port) == portOf(master) {
					minfo = g.info(ctx, s.Addr)
				}
			}
			if online := strings.Count(minfo, "state=online"); online != len(g.data)-1 {
				ok, why = false, fmt.Sprintf("the master has %d of %d replicas online", online, len(g.data)-1)
			}
		}
		if ok {
			// After a diskless sync the master streams nothing to a replica
			// until its first REPLCONF ACK (up to a second): a write WAITed
			// for by every replica proves they all receive the stream.
			if n := g.waitReplicas(ctx, master); n != len(g.data)-1 {
				ok, why = false, fmt.Sprintf("%d of %d replicas acknowledge writes", n, len(g.data)-1)
			}
		}
		if ok {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("redistest: the sentinel group is not ready: %s", why)
		}
		time.Sleep(20 * time.Millisecond) // polled: the servers announce nothing
	}
}

// waitReplicas writes a probe key on the master and returns how many
// replicas acknowledge it within 100ms (WAIT).
func (g *SentinelGroup) waitReplicas(ctx context.Context, master string) int {
	addr := master
	for _, s := range g.data {
		if strconv.Itoa(s.Port) == portOf(master) {
			addr = s.Addr
		}
	}
	rc, err := dialResp(ctx, addr, g.opts.Password)
	if err != nil {
		return -1
	}
	defer rc.Close()
	if _, err := rc.do("SET", "redistest:probe", "1"); err != nil {
		return -1
	}
	v, err := rc.do("WAIT", strconv.Itoa(len(g.data)-1), "100")
	n, ok := v.(int64)
	if err != nil || !ok {
		return -1
	}
	rc.do("DEL", "redistest:probe")
	return int(n)
}

func (g *SentinelGroup) masterFields(ctx context.Context, s *SentinelNode) (map[string]string, error) {
	rc, err := dialResp(ctx, s.Addr, g.opts.SentinelPassword)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	v, err := rc.do("SENTINEL", "MASTER", g.opts.MasterName)
	if err != nil {
		return nil, err
	}
	a, _ := v.([]any)
	m := map[string]string{}
	for i := 0; i+1 < len(a); i += 2 {
		m[fmt.Sprint(a[i])] = fmt.Sprint(a[i+1])
	}
	return m, nil
}

func (g *SentinelGroup) info(ctx context.Context, addr string) string {
	rc, err := dialResp(ctx, addr, g.opts.Password)
	if err != nil {
		return ""
	}
	defer rc.Close()
	v, err := rc.do("INFO", "replication")
	if err != nil {
		return ""
	}
	return fmt.Sprint(v)
}

// Stop stops the sentinel (SIGTERM); Start starts it again on its port.
func (n *SentinelNode) Stop() { n.Server.Stop() }

// Start starts a stopped sentinel again, with the configuration it
// rewrote (it remembers what it learnt).
func (n *SentinelNode) Start(t testing.TB) {
	t.Helper()
	if err := n.Server.restart(); err != nil {
		t.Fatal(err)
	}
}

// ID is the sentinel's run ID.
func (n *SentinelNode) ID() string { return n.id }

func (n *SentinelNode) running() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
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
