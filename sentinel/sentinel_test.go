package sentinel

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/redistest"
)

var bg = context.Background()

func newTestClient(t testing.TB, opts Options) *Client {
	t.Helper()
	if opts.MasterName == "" {
		opts.MasterName = "mymaster"
	}
	c, err := NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// counters is the workload of the failover tests: goroutines each doing
// INCR on their own counter, checking that every reply is one more than
// the last (a gap is an increment applied twice, or lost).
type counters struct {
	c        *Client
	stop     chan struct{}
	wg       sync.WaitGroup
	calls    atomic.Int64
	errs     atomic.Int64
	gaps     atomic.Int64
	acked    []atomic.Int64
	first    atomic.Pointer[error]
	maxLat   atomic.Int64 // the longest call, in nanoseconds
	firstGap atomic.Int64 // the first gap: the last value << 32 | the next
	gapAddr  atomic.Pointer[string]
	twice    atomic.Int64 // replies more than one above the last
	waiter   atomic.Pointer[progressWaiter]
}

// progressWaiter is closed when the calls reach target.
type progressWaiter struct {
	target int64
	ch     chan struct{}
	once   sync.Once
}

func startCounters(c *Client, workers int) *counters {
	l := &counters{c: c, stop: make(chan struct{}), acked: make([]atomic.Int64, workers)}
	for w := 0; w < workers; w++ {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			key := "ctr:" + strconv.Itoa(w)
			for {
				select {
				case <-l.stop:
					return
				default:
				}
				start := time.Now()
				n, err := c.Incr(bg, key)
				if d := int64(time.Since(start)); d > l.maxLat.Load() {
					l.maxLat.Store(d)
				}
				if n := l.calls.Add(1); true {
					if pw := l.waiter.Load(); pw != nil && n >= pw.target {
						pw.once.Do(func() { close(pw.ch) })
					}
				}
				if err != nil {
					l.errs.Add(1)
					l.first.CompareAndSwap(nil, &err)
					continue
				}
				if prev := l.acked[w].Load(); n > prev+1 {
					l.twice.Add(1) // an increment applied twice (or another writer): never expected
				}
				if prev := l.acked[w].Load(); n != prev+1 {
					if l.gaps.Add(1) == 1 {
						l.firstGap.Store(prev<<32 | n)
						addr := c.Addr()
						l.gapAddr.Store(&addr)
					}
				}
				l.acked[w].Store(n)
			}
		}()
	}
	return l
}

// finish stops the load and counts acknowledged increments lost: counters
// on the (new) master below what was acknowledged.
func (l *counters) finish(t testing.TB, check *Client) (lost int64) {
	close(l.stop)
	l.wg.Wait()
	for w := range l.acked {
		got, err := check.Get(bg, "ctr:"+strconv.Itoa(w))
		if err != nil && !errors.Is(err, fastredis.Nil) {
			t.Fatal(err)
		}
		n, _ := strconv.ParseInt(got, 10, 64)
		if want := l.acked[w].Load(); n < want {
			lost += want - n
		}
	}
	return lost
}

func (l *counters) firstErr() error {
	if p := l.first.Load(); p != nil {
		return *p
	}
	return nil
}

// awaitProgress waits until the load has made n more calls.
func (l *counters) awaitProgress(t testing.TB, n int64) {
	t.Helper()
	pw := &progressWaiter{target: l.calls.Load() + n, ch: make(chan struct{})}
	l.waiter.Store(pw)
	select {
	case <-pw.ch:
	case <-time.After(20 * time.Second):
		t.Fatalf("the load made no progress (%d calls, %d errors, first: %v)", l.calls.Load(), l.errs.Load(), l.firstErr())
	}
}

func TestFollowsTheMaster(t *testing.T) {
	g := redistest.StartSentinel(t, redistest.SentinelOptions{})
	c := newTestClient(t, Options{Sentinels: g.SentinelAddrs()})
	if c.Addr() != g.Master().Addr {
		t.Fatalf("connected to %s, the master is %s", c.Addr(), g.Master().Addr)
	}
	if err := c.Set(bg, "k", "v"); err != nil {
		t.Fatal(err)
	}
	r, err := c.Do(bg, "ROLE")
	if err != nil || r.Elems[0].Str != "master" {
		t.Fatalf("ROLE = %+v, %v", r, err)
	}
}

// SENTINEL FAILOVER under load: no failed call, no acknowledged increment
// lost, none applied twice.
func TestForcedFailoverUnderLoad(t *testing.T) {
	g := redistest.StartSentinel(t, redistest.SentinelOptions{})
	var mu sync.Mutex
	var held time.Duration
	var switched string
	c := newTestClient(t, Options{Sentinels: g.SentinelAddrs(), OnEvent: func(e Event) {
		if e.Type == EventMasterSwitched {
			mu.Lock()
			if held == 0 {
				held = e.Duration
			}
			switched = e.Addr
			mu.Unlock()
		}
	}})
	old := c.Addr()
	l := startCounters(c, 64)
	l.awaitProgress(t, 2000)
	g.Failover(t)
	l.awaitProgress(t, 2000)
	lost := l.finish(t, c)
	mu.Lock()
	defer mu.Unlock()
	t.Logf("SENTINEL FAILOVER under load (64 goroutines, INCR): %d calls, %d errors (first: %v), %d acknowledged increments lost, %d gaps (applied twice or lost), writes held %v, longest call %v; %s -> %s",
		l.calls.Load(), l.errs.Load(), l.firstErr(), lost, l.gaps.Load(), held.Round(time.Millisecond), time.Duration(l.maxLat.Load()).Round(time.Millisecond), old, switched)
	if c.Addr() == old || switched == "" {
		t.Fatalf("the client did not move: %s", c.Addr())
	}
	if l.errs.Load() != 0 || lost != 0 || l.gaps.Load() != 0 {
		g := l.firstGap.Load()
		t.Fatalf("forced failover: %d errors (first: %v), %d lost, %d gaps (first: %d then %d)", l.errs.Load(), l.firstErr(), lost, l.gaps.Load(), g>>32, g&0xffffffff)
	}
}

// kill -9 of the master under load: every call returns, calls without a
// deadline succeed once the new master is announced, and service resumes
// within 1s of +switch-master.
func TestMasterCrashUnderLoad(t *testing.T) {
	g := redistest.StartSentinel(t, redistest.SentinelOptions{})
	var switchedAt atomic.Int64
	c := newTestClient(t, Options{Sentinels: g.SentinelAddrs(), OnEvent: func(e Event) {
		if e.Type == EventMasterSwitched {
			switchedAt.CompareAndSwap(0, time.Now().UnixNano())
		}
	}})
	l := startCounters(c, 64)
	l.awaitProgress(t, 2000)
	before := l.calls.Load()
	killed := time.Now()
	g.KillMaster()
	l.awaitProgress(t, 2000)
	resumed := time.Now() // at least: 2000 calls after the kill went through
	lost := l.finish(t, c)
	sw := time.Unix(0, switchedAt.Load())
	t.Logf("kill -9 of the master under load (64 goroutines, INCR): %d calls, %d errors (first: %v), %d acknowledged increments lost (asynchronous replication), %d gaps; +switch-master %v after the kill; longest call %v; 2000 calls done %v after the switch",
		l.calls.Load()-before, l.errs.Load(), l.firstErr(), lost, l.gaps.Load(), sw.Sub(killed).Round(time.Millisecond),
		time.Duration(l.maxLat.Load()).Round(time.Millisecond), resumed.Sub(sw).Round(time.Millisecond))
	if switchedAt.Load() == 0 {
		t.Fatal("no +switch-master")
	}
	if l.errs.Load() != 0 {
		t.Errorf("%d calls without a deadline failed (first: %v)", l.errs.Load(), l.firstErr())
	}
	if d := resumed.Sub(sw); d > time.Second {
		t.Errorf("service resumed %v after +switch-master, want within 1s", d)
	}
}

// The replica role reads from a replica, and moves when it goes.
func TestReplicaRole(t *testing.T) {
	g := redistest.StartSentinel(t, redistest.SentinelOptions{})
	w := newTestClient(t, Options{Sentinels: g.SentinelAddrs()})
	if err := w.Set(bg, "r", "v"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Wait(bg, 2, time.Second); err != nil {
		t.Fatal(err)
	}
	r := newTestClient(t, Options{Sentinels: g.SentinelAddrs(), Role: RoleReplica})
	if r.Addr() == w.Addr() {
		t.Fatalf("the replica client connected to the master %s", r.Addr())
	}
	if v, err := r.Get(bg, "r"); err != nil || v != "v" {
		t.Fatalf("GET on a replica = %q, %v", v, err)
	}
	if err := r.Set(bg, "r", "w"); err == nil || !strings.Contains(err.Error(), "READONLY") {
		t.Fatalf("SET on a replica: %v, want READONLY", err)
	}
	var replica *redistest.Server
	for _, s := range g.Replicas() {
		if s.Addr == r.Addr() {
			replica = s
		}
	}
	if replica == nil {
		t.Fatalf("%s is not a replica of the group", r.Addr())
	}
	first := r.Addr()
	replica.Kill()
	deadline := time.Now().Add(20 * time.Second)
	for {
		v, err := r.Get(bg, "r")
		if err == nil && v == "v" && r.Addr() != first {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replica client did not move from %s: %v", first, err)
		}
	}
}

func TestFirstSentinelDead(t *testing.T) {
	g := redistest.StartSentinel(t, redistest.SentinelOptions{})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	l.Close()
	var tried []string
	var mu sync.Mutex
	c := newTestClient(t, Options{Sentinels: append([]string{dead}, g.SentinelAddrs()...), OnEvent: func(e Event) {
		if e.Type == EventSentinelTried {
			mu.Lock()
			tried = append(tried, e.Addr)
			mu.Unlock()
		}
	}})
	if err := c.Set(bg, "k", "v"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(tried) < 2 || tried[0] != dead {
		t.Fatalf("sentinels tried: %v", tried)
	}
	if first := c.sentinels.list()[0]; first == dead {
		t.Errorf("the dead sentinel is still first")
	}
}

// Every sentinel down: a client that must redial backs off (no spin: CPU
// time is measured), and comes back when they do.
func TestAllSentinelsDown(t *testing.T) {
	g := redistest.StartSentinel(t, redistest.SentinelOptions{})
	c := newTestClient(t, Options{Sentinels: g.SentinelAddrs(), SentinelTimeout: 200 * time.Millisecond,
		NodeOptions: fastredis.Options{MaxRetriesPerRequest: fastredis.UnlimitedRetries}})
	master := g.Master()
	for _, s := range g.Sentinels() {
		s.Stop()
	}
	// Drop the client's connections: it must ask the sentinels to redial.
	admin, err := fastredis.NewClient(fastredis.Options{Addr: master.Addr})
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Do(bg, "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"); err != nil {
		t.Fatal(err)
	}
	var ru0, ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	window := 2 * time.Second
	ctx, cancel := context.WithTimeout(bg, window)
	_, err = c.Get(ctx, "k")
	cancel()
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	cpu := time.Duration(ru1.Utime.Nano()-ru0.Utime.Nano()) + time.Duration(ru1.Stime.Nano()-ru0.Stime.Nano())
	t.Logf("every sentinel down for %v: the command ended with %v; process CPU time meanwhile %v", window, err, cpu.Round(time.Millisecond))
	if err == nil {
		t.Fatal("a command succeeded with every sentinel down and the connections dropped")
	}
	if cpu > window/4 {
		t.Errorf("%v of CPU in %v while the sentinels were down: spinning?", cpu, window)
	}
	for _, s := range g.Sentinels() {
		s.Start(t)
	}
	ctx, cancel = context.WithTimeout(bg, 20*time.Second)
	defer cancel()
	if _, err := c.Get(ctx, "k"); err != nil && !errors.Is(err, fastredis.Nil) {
		t.Fatalf("after the sentinels came back: %v", err)
	}
}

func TestNoSentinelAnswers(t *testing.T) {
	var addrs []string
	for i := 0; i < 2; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addrs = append(addrs, l.Addr().String())
		l.Close()
	}
	_, err := NewClient(Options{MasterName: "m", Sentinels: addrs})
	if err == nil {
		t.Fatal("NewClient succeeded without a sentinel")
	}
	for _, a := range addrs {
		if !strings.Contains(err.Error(), a) {
			t.Errorf("the error does not name %s: %v", a, err)
		}
	}
	for _, tc := range []struct {
		opts Options
		msg  string
	}{
		{Options{Sentinels: addrs}, "master name"},
		{Options{MasterName: "m"}, "no sentinel addresses"},
		{Options{MasterName: "m", Sentinels: []string{"nope"}}, "sentinel address"},
	} {
		if _, err := NewClient(tc.opts); err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%+v: %v, want %q", tc.opts, err, tc.msg)
		}
	}
}

func TestPasswords(t *testing.T) {
	g := redistest.StartSentinel(t, redistest.SentinelOptions{Password: "data-pw", SentinelPassword: "sentinel-pw"})
	c := newTestClient(t, Options{Sentinels: g.SentinelAddrs(), SentinelPassword: "sentinel-pw",
		NodeOptions: fastredis.Options{Password: "data-pw"}})
	if err := c.Set(bg, "k", "v"); err != nil {
		t.Fatal(err)
	}
	_, err := NewClient(Options{MasterName: "mymaster", Sentinels: g.SentinelAddrs(), NodeOptions: fastredis.Options{Password: "data-pw"}})
	if err == nil || strings.Contains(err.Error(), "pw") {
		t.Errorf("without the sentinel password: %v", err)
	}
}

func TestTypedSentinelCommands(t *testing.T) {
	g := redistest.StartSentinel(t, redistest.SentinelOptions{})
	s, err := NewSentinelClient(fastredis.Options{Addr: g.SentinelAddrs()[0]})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	addr, err := s.GetMasterAddrByName(bg, "mymaster")
	if err != nil || net.JoinHostPort(addr[0], addr[1]) != g.Master().Addr {
		t.Fatalf("GetMasterAddrByName = %v, %v", addr, err)
	}
	m, err := s.Master(bg, "mymaster")
	if err != nil || m["num-slaves"] != "2" {
		t.Fatalf("Master = %v, %v", m, err)
	}
	q, err := s.CKQuorum(bg, "mymaster")
	if err != nil && strings.Contains(err.Error(), "NOQUORUM") {
		// On a loaded machine a sentinel may briefly count another as down
		// (their hellos came late): once the group is healthy again, the
		// quorum is there.
		g.WaitHealthy(t)
		q, err = s.CKQuorum(bg, "mymaster")
	}
	if err != nil || !strings.Contains(q, "OK") {
		t.Fatalf("CKQuorum = %q, %v", q, err)
	}
	if id, err := s.MyID(bg); err != nil || len(id) != 40 {
		t.Fatalf("MyID = %q, %v", id, err)
	}
}

func TestParseURL(t *testing.T) {
	o, err := ParseURL("redis://:pw@10.0.0.1:26379?master_name=mymaster&addr=10.0.0.2:26379")
	if err != nil {
		t.Fatal(err)
	}
	if o.MasterName != "mymaster" || len(o.Sentinels) != 2 || o.NodeOptions.Password != "pw" || o.NodeOptions.Addr != "" {
		t.Fatalf("ParseURL = %+v", o)
	}
	if _, err := ParseURL("redis://10.0.0.1:26379"); err == nil {
		t.Error("a URL without master_name parsed")
	}
}

// The sentinels announce host names; NATMapper maps them to addresses to
// dial, for the master and for replicas.
func TestNATMap(t *testing.T) {
	g := redistest.StartSentinel(t, redistest.SentinelOptions{AnnounceHostnames: true})
	var mapped atomic.Int64
	mapper := func(addr string) string {
		host, port, _ := net.SplitHostPort(addr)
		if host == "localhost" {
			mapped.Add(1)
			return net.JoinHostPort("127.0.0.1", port)
		}
		return addr
	}
	c := newTestClient(t, Options{Sentinels: g.SentinelAddrs(), NATMapper: mapper})
	if err := c.Set(bg, "nat", 1); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.Addr(), "127.0.0.1:") || mapped.Load() == 0 {
		t.Fatalf("connected to %s after %d mappings", c.Addr(), mapped.Load())
	}
	r := newTestClient(t, Options{Sentinels: g.SentinelAddrs(), NATMapper: mapper, Role: RoleReplica})
	if _, err := r.Get(bg, "nat"); err != nil && !errors.Is(err, fastredis.Nil) {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.Addr(), "127.0.0.1:") {
		t.Fatalf("replica client connected to %s", r.Addr())
	}
}

// A sentinel that accepts connections and never answers is skipped after
// SentinelTimeout.
func TestHungSentinelSkipped(t *testing.T) {
	g := redistest.StartSentinel(t, redistest.SentinelOptions{Replicas: 1, Sentinels: 1})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never answered
		}
	}()
	start := time.Now()
	c := newTestClient(t, Options{Sentinels: []string{l.Addr().String(), g.SentinelAddrs()[0]}, SentinelTimeout: 200 * time.Millisecond})
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("connecting past a hung sentinel took %v", took)
	}
	if err := c.Set(bg, "k", "v"); err != nil {
		t.Fatal(err)
	}
	if first := c.sentinels.list()[0]; first == l.Addr().String() {
		t.Error("the hung sentinel is still first")
	}
}
