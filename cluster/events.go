package cluster

import (
	"context"
	"log/slog"
	"time"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/internal/route"
)

// EventType says what happened to the cluster as the client sees it.
type EventType int

const (
	// EventRefreshed: the topology was read (Reason, Duration, Addr: the
	// node that answered; Changed: whether any slot moved).
	EventRefreshed EventType = iota + 1
	// EventRefreshFailed: no node answered a refresh (Err says why).
	EventRefreshFailed
	// EventNodeAdded: a node joined the topology (Addr, Master).
	EventNodeAdded
	// EventNodeRemoved: a node left the topology (Addr); its connections
	// close after Options.CloseGrace.
	EventNodeRemoved
	// EventNodeFailing: a command could not reach a node (Addr, Err).
	EventNodeFailing
	// EventRedirected: a node answered MOVED or ASK (Reason "MOVED" or
	// "ASK", Slot, Addr: the node redirected to).
	EventRedirected
	// EventResubscribed: shard channels subscribed before were subscribed
	// again on the node at Addr (Channels), because their slot moved, their
	// master failed, or the connection was lost (Reason).
	EventResubscribed
)

var eventNames = [...]string{"", "refreshed", "refresh failed", "node added", "node removed", "node failing", "redirected", "resubscribed"}

func (t EventType) String() string {
	if t > 0 && int(t) < len(eventNames) {
		return eventNames[t]
	}
	return "event(?)"
}

// Event is a topology event, passed to Options.OnEvent.
type Event struct {
	Type     EventType
	Addr     string
	Master   bool          // EventNodeAdded
	Reason   string        // EventRefreshed, EventRefreshFailed: what asked for it; EventRedirected: MOVED or ASK
	Slot     int           // EventRedirected
	Duration time.Duration // EventRefreshed: how long reading the topology took
	Changed  bool          // EventRefreshed
	Channels []string      // EventResubscribed
	Err      error
}

// emit hands an event to OnEvent and the Logger.
func (c *Client) emit(ev Event) {
	if c.opts.OnEvent != nil {
		c.opts.OnEvent(ev)
	}
	if c.view != nil {
		route.EmitEvent(c.view, fastredis.HookEvent{
			Source:   fastredis.SourceCluster,
			Type:     int(ev.Type),
			Name:     ev.Type.String(),
			Addr:     ev.Addr,
			Reason:   ev.Reason,
			Slot:     ev.Slot,
			Master:   ev.Master,
			Changed:  ev.Changed,
			Duration: ev.Duration,
			Count:    len(ev.Channels),
			Err:      ev.Err,
		})
	}
	lg := c.opts.Logger
	if lg == nil {
		return
	}
	level := slog.LevelInfo
	attrs := []slog.Attr{}
	if ev.Addr != "" {
		attrs = append(attrs, slog.String("addr", ev.Addr))
	}
	switch ev.Type {
	case EventRefreshed:
		level = slog.LevelDebug
		if ev.Changed {
			level = slog.LevelInfo
		}
		attrs = append(attrs, slog.String("reason", ev.Reason), slog.Duration("took", ev.Duration), slog.Bool("changed", ev.Changed))
	case EventRefreshFailed, EventNodeFailing:
		level = slog.LevelWarn
		attrs = append(attrs, slog.String("reason", ev.Reason), slog.Any("err", ev.Err))
	case EventNodeAdded:
		attrs = append(attrs, slog.Bool("master", ev.Master))
	case EventResubscribed:
		attrs = append(attrs, slog.String("reason", ev.Reason), slog.Int("channels", len(ev.Channels)))
	case EventRedirected:
		level = slog.LevelDebug
		attrs = append(attrs, slog.String("reason", ev.Reason), slog.Int("slot", ev.Slot))
	}
	lg.LogAttrs(context.Background(), level, "fastredis/cluster: "+ev.Type.String(), attrs...)
}
