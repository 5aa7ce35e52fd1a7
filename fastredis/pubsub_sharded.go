package fastredis

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/fastredis/fastredis/internal/keyspec"
	"github.com/fastredis/fastredis/internal/route"
)

// Sharded subscribers of a routed client (a cluster).
//
// A shard channel lives in a slot, and only the master serving that slot
// (and its replicas) deliver its messages. A routed client's SSubscribe
// therefore returns a PubSub that is a registry rather than a connection:
// it remembers every shard channel the user wants, keeps one subscriber
// connection (a part: a plain PubSub on that node's client) per master that
// serves some of them, subscribes the channels of one slot with one
// SSUBSCRIBE, and funnels every part's messages into its own Messages, in
// the order each part receives them.
//
// A channel is placed again (unsubscribed where it was, subscribed where
// its slot is served now) when:
//   - the server ends its subscription on its own (a sunsubscribe push: its
//     slot moved, by a migration or a failover);
//   - the part's connection is lost, and the topology says another master
//     serves the slot (a crash failover); while the same master serves it,
//     the part reconnects and subscribes again by itself;
//   - a subscription is refused with a redirection (MOVED);
//   - a check every placeCheckInterval finds the topology moved it.
//
// Each resubscription is reported through route.ShardRouter.Resubscribed
// (an event of the cluster client). Messages published while a channel is
// being placed again are lost, as with any subscriber; a message never
// arrives twice, because a channel is unsubscribed from its old node (or
// that node's part is closed) when it moves.

// placeCheckInterval is how often a sharded subscriber compares where its
// channels are subscribed with the topology (no network unless they
// differ).
const placeCheckInterval = time.Second

// placeAttempts bounds the rounds one SSubscribe call spends placing its
// channels (each round reads the topology again after a redirection).
const placeAttempts = 16

// shardSet is the registry behind a routed client's sharded PubSub.
type shardSet struct {
	ps     *PubSub
	router route.ShardRouter

	placeMu sync.Mutex // serialises placing: SSubscribe, SUnsubscribe and the background loop

	mu      sync.Mutex
	want    map[string]int           // the channels the user subscribed, by name: their slots
	placed  map[string]*shardPart    // where each wanted channel is subscribed now
	parts   map[string]*shardPart    // the parts, by node address
	reasons map[string]string        // why a channel lost its place (for the event)
	kick    chan struct{}            // wakes the background loop
	done    chan struct{}            // closed when the background loop ends
	refresh bool                     // the next placement reads the topology first
	errs    map[*shardPart]time.Time // parts whose connection was lost, since when
}

// shardPart is the subscriber connection to one node.
type shardPart struct {
	set   *shardSet
	addr  string
	sub   *PubSub
	chans map[string]struct{} // the channels placed here; guarded by set.mu
	// gone holds the channels whose subscription here the server ended
	// since they were last sent to it, so that a sunsubscribe racing
	// with the acknowledgement is not lost; guarded by set.mu.
	gone map[string]struct{}
}

// NewShardPubSub returns a subscriber for shard channels (SSubscribe on
// it), subscribed to nothing yet. On a single server it is NewPubSub. On a
// routed client (a cluster) it is a registry of subscriber connections,
// one per master that serves some of its channels, which follows each
// channel's slot when it moves; its Subscribe and PSubscribe return an
// error (use the cluster client's Subscribe and PSubscribe).
// opts.BufferSize sizes its Messages; opts.HealthCheckInterval applies to
// each node's connection.
func (c *Client) NewShardPubSub(ctx context.Context, opts PubSubOptions) (*PubSub, error) {
	if c.router == nil {
		return c.NewPubSub(ctx, opts)
	}
	r, ok := c.router.(route.ShardRouter)
	if !ok {
		return nil, routedUnsupported("sharded subscriptions")
	}
	if c.closed.Load() {
		return nil, ErrClosed
	}
	ps := c.newShardedPubSub(r, opts)
	if err := c.track(ps); err != nil {
		ps.Close()
		return nil, err
	}
	return ps, nil
}

// newShardedPubSub returns a routed client's sharded subscriber, with no
// channels yet.
func (c *Client) newShardedPubSub(r route.ShardRouter, opts PubSubOptions) *PubSub {
	ps := c.allocPubSub(opts)
	s := &shardSet{
		ps: ps, router: r,
		want: map[string]int{}, placed: map[string]*shardPart{}, parts: map[string]*shardPart{},
		reasons: map[string]string{}, errs: map[*shardPart]time.Time{},
		kick: make(chan struct{}, 1), done: make(chan struct{}),
	}
	ps.shards = s
	go s.loop()
	return ps
}

// routedSSubscribe is SSubscribe on a routed client.
func (c *Client) routedSSubscribe(ctx context.Context, channels []string) (*PubSub, error) {
	ps, err := c.NewShardPubSub(ctx, PubSubOptions{})
	if err != nil {
		return nil, err
	}
	if len(channels) > 0 {
		if _, err := ps.SSubscribe(ctx, channels...); err != nil {
			ps.Close()
			return nil, err
		}
	}
	return ps, nil
}

// subscribe adds channels and places them, waiting until each is
// acknowledged by the node that serves its slot. On failure the channels
// it added are removed again.
func (s *shardSet) subscribe(ctx context.Context, channels []string) (int64, error) {
	if len(channels) == 0 {
		return 0, errors.New("fastredis: SSUBSCRIBE needs at least one name")
	}
	s.placeMu.Lock()
	defer s.placeMu.Unlock()
	var added []string
	s.mu.Lock()
	for _, ch := range channels {
		if _, ok := s.want[ch]; !ok {
			s.want[ch] = keyspec.Slot(ch)
			added = append(added, ch)
		}
	}
	s.mu.Unlock()
	err := s.placeAll(ctx, placeAttempts)
	if err != nil {
		s.mu.Lock()
		for _, ch := range added {
			delete(s.want, ch)
		}
		s.mu.Unlock()
		s.tidy(ctx)
		return 0, err
	}
	return s.count(), nil
}

// unsubscribe removes channels (every channel when none is given) and
// unsubscribes them where they are placed.
func (s *shardSet) unsubscribe(ctx context.Context, channels []string) (int64, error) {
	s.placeMu.Lock()
	defer s.placeMu.Unlock()
	s.mu.Lock()
	if len(channels) == 0 {
		for ch := range s.want {
			channels = append(channels, ch)
		}
	}
	for _, ch := range channels {
		delete(s.want, ch)
	}
	s.mu.Unlock()
	err := s.tidy(ctx)
	return s.count(), err
}

// count returns how many channels are subscribed.
func (s *shardSet) count() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return int64(len(s.placed))
}

// placeAll places every wanted channel that is not where its slot is
// served, in up to attempts rounds, backing off between rounds after a
// redirection. Call with placeMu held.
func (s *shardSet) placeAll(ctx context.Context, attempts int) error {
	var lastErr error
	for attempt := 0; attempt < attempts; attempt++ {
		if attempt > 0 {
			wait := min(10*time.Millisecond<<(attempt-1), 320*time.Millisecond)
			wait = wait/2 + rand.N(wait/2+1)
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return fmt.Errorf("fastredis: SSUBSCRIBE: %w (last failure: %v)", ctx.Err(), lastErr)
			case <-s.ps.ctx.Done():
				t.Stop()
				return ErrClosed
			}
		}
		err := s.placeOnce(ctx)
		if err == nil {
			return s.tidy(ctx)
		}
		if isServerError(err) && !isRedirection(err) {
			return err // refused for good: NOPERM, a wrong type of name
		}
		if ctx.Err() != nil || s.ps.ctx.Err() != nil {
			return err
		}
		lastErr = err
		s.mu.Lock()
		s.refresh = true
		s.mu.Unlock()
	}
	return fmt.Errorf("fastredis: SSUBSCRIBE: channels not placed after %d attempts: %w", attempts, lastErr)
}

// placeOnce is one round of placing: it reads where each wanted slot is
// served and subscribes, slot by slot, the channels that are not there.
// It returns the first failure.
func (s *shardSet) placeOnce(ctx context.Context) error {
	s.mu.Lock()
	refresh := s.refresh
	s.refresh = false
	bySlot := map[int][]string{}
	for ch, slot := range s.want {
		bySlot[slot] = append(bySlot[slot], ch)
	}
	s.mu.Unlock()
	slots := make([]int, 0, len(bySlot))
	for slot := range bySlot {
		slots = append(slots, slot)
	}
	sort.Ints(slots)
	for i, slot := range slots {
		addr, node, err := s.router.ShardNode(ctx, slot, refresh && i == 0)
		if err != nil {
			return err
		}
		var move []string
		s.mu.Lock()
		for _, ch := range bySlot[slot] {
			if _, ok := s.want[ch]; !ok {
				continue
			}
			if p := s.placed[ch]; p == nil || p.addr != addr {
				move = append(move, ch)
			}
		}
		s.mu.Unlock()
		if len(move) == 0 {
			continue
		}
		p, err := s.part(ctx, addr, node)
		if err != nil {
			return err
		}
		s.mu.Lock()
		for _, ch := range move {
			delete(p.gone, ch)
		}
		s.mu.Unlock()
		if _, err := p.sub.do(ctx, psShards, true, move); err != nil {
			return err
		}
		s.moved(p, move)
	}
	return nil
}

// moved records channels as placed on p, unsubscribing them where they
// were, and reports the resubscription of those that had been placed
// before.
func (s *shardSet) moved(p *shardPart, channels []string) {
	var again []string
	reason := ""
	old := map[*shardPart][]string{}
	s.mu.Lock()
	for _, ch := range channels {
		if _, ok := p.gone[ch]; ok {
			// The server ended it again already: the next round places it.
			delete(p.gone, ch)
			s.reasons[ch] = "the server ended the subscription (slot moved)"
			s.refresh = true
			defer s.wake()
			continue
		}
		if prev := s.placed[ch]; prev != nil && prev != p {
			delete(prev.chans, ch)
			old[prev] = append(old[prev], ch)
		}
		if r, ok := s.reasons[ch]; ok {
			again = append(again, ch)
			reason = r
			delete(s.reasons, ch)
		}
		s.placed[ch] = p
		p.chans[ch] = struct{}{}
	}
	s.mu.Unlock()
	for prev, chans := range old {
		prev.drop(chans)
	}
	if len(again) > 0 {
		s.router.Resubscribed(p.addr, again, reason)
	}
}

// tidy unsubscribes channels no longer wanted and closes parts left with
// nothing to serve. Call with placeMu held.
func (s *shardSet) tidy(ctx context.Context) error {
	byPart := map[*shardPart][]string{}
	var empty []*shardPart
	s.mu.Lock()
	for ch, p := range s.placed {
		if _, ok := s.want[ch]; !ok {
			delete(s.placed, ch)
			delete(p.chans, ch)
			byPart[p] = append(byPart[p], ch)
		}
	}
	for ch := range s.reasons {
		if _, ok := s.want[ch]; !ok {
			delete(s.reasons, ch)
		}
	}
	for addr, p := range s.parts {
		if len(p.chans) == 0 {
			delete(s.parts, addr)
			delete(s.errs, p)
			empty = append(empty, p)
		}
	}
	s.mu.Unlock()
	var err error
	for p, chans := range byPart {
		if !containsPart(empty, p) {
			if e := p.unsubscribe(ctx, chans); e != nil && err == nil {
				err = e
			}
		}
	}
	for _, p := range empty {
		p.sub.Close()
	}
	return err
}

func containsPart(parts []*shardPart, p *shardPart) bool {
	for _, q := range parts {
		if q == p {
			return true
		}
	}
	return false
}

// part returns the part for the node at addr, connecting it first.
func (s *shardSet) part(ctx context.Context, addr string, node any) (*shardPart, error) {
	s.mu.Lock()
	p := s.parts[addr]
	s.mu.Unlock()
	if p != nil {
		return p, nil
	}
	nc, ok := node.(*Client)
	if !ok {
		return nil, fmt.Errorf("fastredis: shard node %s is not a *fastredis.Client", addr)
	}
	p = &shardPart{set: s, addr: addr, chans: map[string]struct{}{}, gone: map[string]struct{}{}}
	sub, err := nc.newPubSub(ctx, PubSubOptions{BufferSize: 1, HealthCheckInterval: s.ps.opts.HealthCheckInterval}, p)
	if err != nil {
		return nil, err
	}
	p.sub = sub
	s.mu.Lock()
	if s.ps.ctx.Err() != nil {
		s.mu.Unlock()
		sub.Close()
		return nil, ErrClosed
	}
	s.parts[addr] = p
	s.mu.Unlock()
	return p, nil
}

// drop unsubscribes channels that moved away from p, if p's connection is
// up; without waiting for one (a part whose connection is down no longer
// subscribes them again: wanted leaves them out).
func (p *shardPart) drop(channels []string) {
	p.sub.mu.Lock()
	cur := p.sub.cur
	p.sub.mu.Unlock()
	if cur == nil {
		return
	}
	select {
	case <-cur.cn.Done():
		return
	default:
	}
	ctx, cancel := context.WithTimeout(p.set.ps.ctx, time.Second)
	defer cancel()
	p.unsubscribe(ctx, channels)
}

// unsubscribe sends SUNSUBSCRIBE for channels on p, one command per slot
// (a cluster node refuses one across slots).
func (p *shardPart) unsubscribe(ctx context.Context, channels []string) error {
	var err error
	for _, group := range subscribeGroups(psShards, channels) {
		if _, e := p.sub.do(ctx, psShards, false, group); e != nil && err == nil {
			err = e
		}
	}
	return err
}

// wanted returns the shard channels p is to subscribe on a new connection.
func (p *shardPart) wanted() [psClasses][]string {
	var want [psClasses][]string
	p.set.mu.Lock()
	defer p.set.mu.Unlock()
	for ch := range p.chans {
		want[psShards] = append(want[psShards], ch)
	}
	return want
}

// ended is told that the server ended p's subscription to channel on its
// own: its slot is served elsewhere now. It runs on p's reading side with
// p.sub.mu held: it only records and wakes the loop.
func (p *shardPart) ended(channel string) {
	s := p.set
	s.mu.Lock()
	if s.placed[channel] == p {
		delete(s.placed, channel)
		delete(p.chans, channel)
		s.reasons[channel] = "the server ended the subscription (slot moved)"
	} else {
		p.gone[channel] = struct{}{}
	}
	s.refresh = true
	s.mu.Unlock()
	s.wake()
}

// refused is told that p's new connection could not subscribe channels
// again (a MOVED: their slot is served elsewhere).
func (p *shardPart) refused(channels []string, err error) {
	s := p.set
	s.mu.Lock()
	for _, ch := range channels {
		if s.placed[ch] == p {
			delete(s.placed, ch)
			delete(p.chans, ch)
			s.reasons[ch] = "resubscribing was refused: " + err.Error()
		}
	}
	s.refresh = true
	s.mu.Unlock()
	s.wake()
}

// lost is told that p's connection was lost, or that p ended.
func (p *shardPart) lost(ended bool) {
	s := p.set
	s.mu.Lock()
	if s.parts[p.addr] == p {
		if ended {
			// It will not come back: everything placed on it moves.
			delete(s.parts, p.addr)
			delete(s.errs, p)
			for ch := range p.chans {
				delete(s.placed, ch)
				s.reasons[ch] = "the node's subscriber ended"
			}
			clear(p.chans)
		} else {
			if _, ok := s.errs[p]; !ok {
				s.errs[p] = time.Now()
			}
			for ch := range p.chans {
				s.reasons[ch] = "the node's connection was lost"
			}
		}
		s.refresh = true
	}
	s.mu.Unlock()
	s.wake()
}

// ready is told that p is subscribed again on a new connection.
func (p *shardPart) ready() {
	s := p.set
	s.mu.Lock()
	delete(s.errs, p)
	for ch := range p.chans {
		delete(s.reasons, ch) // subscribed again where it was: no move to report
	}
	s.mu.Unlock()
}

// deliver hands a part's message to the user's PubSub.
func (p *shardPart) deliver(m Message) { p.set.ps.deliver(m) }

func (s *shardSet) wake() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// loop places channels again when something moved them, and checks the
// placement against the topology every placeCheckInterval, until the
// PubSub closes.
func (s *shardSet) loop() {
	defer close(s.done)
	t := time.NewTicker(placeCheckInterval)
	defer t.Stop()
	for {
		select {
		case <-s.ps.ctx.Done():
			return
		case <-s.kick:
		case <-t.C:
		}
		s.placeMu.Lock()
		s.mu.Lock()
		// A part whose connection is down moves its channels when the
		// topology says another node serves them: read it again.
		if len(s.errs) > 0 {
			s.refresh = true
		}
		s.mu.Unlock()
		ctx, cancel := context.WithTimeout(s.ps.ctx, 5*time.Second)
		if err := s.placeAll(ctx, 4); err != nil && s.ps.ctx.Err() == nil {
			s.mu.Lock()
			s.refresh = true
			s.mu.Unlock()
			s.wake() // try again (placeAll backs off between rounds)
		}
		cancel()
		s.placeMu.Unlock()
	}
}

// close closes every part and stops the loop. The PubSub's own Close
// calls it after marking itself stopped.
func (s *shardSet) close() {
	<-s.done
	s.mu.Lock()
	parts := make([]*shardPart, 0, len(s.parts))
	for _, p := range s.parts {
		parts = append(parts, p)
	}
	clear(s.parts)
	s.mu.Unlock()
	for _, p := range parts {
		p.sub.Close()
	}
}

// ping pings every part.
func (s *shardSet) ping(ctx context.Context) error {
	s.mu.Lock()
	parts := make([]*shardPart, 0, len(s.parts))
	for _, p := range s.parts {
		parts = append(parts, p)
	}
	s.mu.Unlock()
	for _, p := range parts {
		if err := p.sub.Ping(ctx); err != nil {
			return fmt.Errorf("fastredis: shard subscriber on %s: %w", p.addr, err)
		}
	}
	return nil
}

// isRedirection reports whether err is a cluster redirection or a
// transient cluster state (MOVED, ASK, TRYAGAIN, CLUSTERDOWN), or a
// connection failure: worth another round after reading the topology.
func isRedirection(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return true
	}
	switch e.Prefix {
	case "MOVED", "ASK", "TRYAGAIN", "CLUSTERDOWN", "LOADING", "MASTERDOWN":
		return true
	}
	return false
}
