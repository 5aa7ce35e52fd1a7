package sentinel

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/internal/route"
)

// sentinels is the ordered set of known sentinels, each with a lazily
// connected client.
type sentinels struct {
	opts *Options

	mu      sync.Mutex
	order   []string // addresses, the last one that answered first
	clients map[string]*fastredis.Client
	closed  bool
	onNew   func(addr string, c *fastredis.Client) // a sentinel was added (watch it)
	hooks   any                                    // the client's hooks (fastredis.Options carrying them): sentinel connections share them
}

func newSentinels(opts *Options) *sentinels {
	s := &sentinels{opts: opts, clients: map[string]*fastredis.Client{}}
	for _, a := range opts.Sentinels {
		if !slices.Contains(s.order, a) {
			s.order = append(s.order, a)
		}
	}
	return s
}

// list returns the sentinels in the order to try them.
func (s *sentinels) list() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.order)
}

// client returns the client of a sentinel, making it the first time.
func (s *sentinels) client(addr string) (*fastredis.Client, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, fastredis.ErrClosed
	}
	if c, ok := s.clients[addr]; ok {
		s.mu.Unlock()
		return c, nil
	}
	o := s.opts.sentinelOptions(addr)
	if s.hooks != nil {
		o = route.ShareHooks(s.hooks, o).(fastredis.Options)
	}
	c, err := fastredis.NewClient(o)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	s.clients[addr] = c
	onNew := s.onNew
	s.mu.Unlock()
	if onNew != nil {
		onNew(addr, c)
	}
	return c, nil
}

// promote moves addr to the front: it answered.
func (s *sentinels) promote(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := slices.Index(s.order, addr); i > 0 {
		s.order = append([]string{addr}, slices.Delete(s.order, i, i+1)...)
	}
}

// add appends sentinels found through SENTINEL SENTINELS.
func (s *sentinels) add(addrs []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range addrs {
		if !slices.Contains(s.order, a) {
			s.order = append(s.order, a)
		}
	}
}

func (s *sentinels) close() {
	s.mu.Lock()
	s.closed = true
	clients := s.clients
	s.clients = map[string]*fastredis.Client{}
	s.mu.Unlock()
	for _, c := range clients {
		c.Close()
	}
}

// ask runs q on the sentinels in turn, each within SentinelTimeout, until
// one answers; that one moves to the front. When none does, the error
// names each sentinel and its failure.
func (c *Client) ask(ctx context.Context, q func(ctx context.Context, s *fastredis.Client) error) (string, error) {
	var errs []string
	for _, addr := range c.sentinels.list() {
		sc, err := c.sentinels.client(addr)
		if err == nil {
			qctx, cancel := context.WithTimeout(ctx, c.opts.SentinelTimeout)
			err = q(qctx, sc)
			cancel()
		}
		c.emit(Event{Type: EventSentinelTried, Addr: addr, Err: err})
		if err == nil {
			c.sentinels.promote(addr)
			return addr, nil
		}
		if errors.Is(err, fastredis.ErrClosed) && c.closed.Load() {
			return "", fastredis.ErrClosed
		}
		errs = append(errs, addr+": "+err.Error())
		if ctx.Err() != nil {
			break
		}
	}
	return "", fmt.Errorf("fastredis/sentinel: no sentinel answered for master %q: %s", c.opts.MasterName, strings.Join(errs, "; "))
}

// masterAddr asks the sentinels where the master is.
func (c *Client) masterAddr(ctx context.Context) (string, error) {
	var addr string
	from, err := c.ask(ctx, func(ctx context.Context, s *fastredis.Client) error {
		r, err := s.Do(ctx, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", c.opts.MasterName)
		if errors.Is(err, fastredis.Nil) {
			return fmt.Errorf("it does not monitor a master named %q", c.opts.MasterName)
		}
		if err != nil {
			return err
		}
		if len(r.Elems) != 2 {
			return errors.New("GET-MASTER-ADDR-BY-NAME: not a host and port")
		}
		addr = net.JoinHostPort(r.Elems[0].Str, r.Elems[1].Str)
		return nil
	})
	if err != nil {
		return "", err
	}
	go c.discoverSentinels(from)
	return c.opts.mapAddr(addr), nil
}

// discoverSentinels adds the sentinels the one at addr knows of.
func (c *Client) discoverSentinels(addr string) {
	if c.discovering.Swap(true) {
		return
	}
	defer c.discovering.Store(false)
	sc, err := c.sentinels.client(addr)
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(c.ctx, c.opts.SentinelTimeout)
	defer cancel()
	r, err := sc.Do(ctx, "SENTINEL", "SENTINELS", c.opts.MasterName)
	if err != nil {
		return
	}
	var found []string
	for _, e := range r.Elems {
		f := fieldsOf(e)
		if f["ip"] != "" && f["port"] != "" && !strings.Contains(f["flags"], "disconnected") {
			found = append(found, c.opts.mapAddr(net.JoinHostPort(f["ip"], f["port"])))
		}
	}
	c.sentinels.add(found)
	for _, a := range found {
		c.sentinels.client(a) // starts watching it
	}
}

// replicaAddrs asks the sentinels for the usable replicas: not s_down,
// o_down or disconnected.
func (c *Client) replicaAddrs(ctx context.Context) ([]string, error) {
	var out []string
	_, err := c.ask(ctx, func(ctx context.Context, s *fastredis.Client) error {
		r, err := s.Do(ctx, "SENTINEL", "REPLICAS", c.opts.MasterName)
		if err != nil {
			return err
		}
		out = out[:0]
		for _, e := range r.Elems {
			f := fieldsOf(e)
			flags := f["flags"]
			if strings.Contains(flags, "s_down") || strings.Contains(flags, "o_down") || strings.Contains(flags, "disconnected") ||
				f["master-link-status"] == "err" {
				continue
			}
			if f["ip"] == "" || f["port"] == "" {
				continue
			}
			out = append(out, c.opts.mapAddr(net.JoinHostPort(f["ip"], f["port"])))
		}
		return nil
	})
	return out, err
}

// pickReplica orders usable replicas by preference and picks one.
func (c *Client) pickReplica(usable []string) string {
	if len(usable) == 0 {
		return ""
	}
	if c.opts.ReplicaFunc != nil {
		i := c.opts.ReplicaFunc(slices.Clone(usable))
		if i < 0 || i >= len(usable) {
			return ""
		}
		return usable[i]
	}
	for _, p := range c.opts.PreferredReplicas {
		if slices.Contains(usable, p) {
			return p
		}
	}
	return usable[rand.IntN(len(usable))]
}

// fieldsOf reads a sentinel's flat field list (or RESP3 map) into a map.
func fieldsOf(r fastredis.Reply) map[string]string {
	m := make(map[string]string, len(r.Elems)/2)
	for i := 0; i+1 < len(r.Elems); i += 2 {
		v := r.Elems[i+1]
		s := v.Str
		if s == "" && v.Int != 0 {
			s = strconv.FormatInt(v.Int, 10)
		}
		m[r.Elems[i].Str] = s
	}
	return m
}
