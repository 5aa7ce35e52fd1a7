package sentinel

import (
	"context"
	"log/slog"
	"time"

	"github.com/fastredis/fastredis/fastredis"
	"github.com/fastredis/fastredis/internal/route"
)

// EventType says what the client learnt from the sentinels.
type EventType int

const (
	// EventSentinelTried: a sentinel was asked (Addr); Err says why it did
	// not answer, nil when it did.
	EventSentinelTried EventType = iota + 1
	// EventFailoverStarted: a sentinel announced a failover of the master
	// (Reason: the announcement, e.g. +try-failover); new writes are held.
	EventFailoverStarted
	// EventDrained: what the old master acknowledged reached Replicas
	// replicas (WAIT), Duration after the failover began.
	EventDrained
	// EventMasterSwitched: the master moved to Addr (from Prev); every
	// connection moved with it. Duration is how long writes were held.
	EventMasterSwitched
	// EventFailoverAborted: the failover ended without a new master
	// (Reason), or FailoverTimeout passed; held writes go on.
	EventFailoverAborted
	// EventRoleMismatch: a connection reached a server whose role (Reason)
	// is not the one asked for; it was dropped and the sentinels asked
	// again.
	EventRoleMismatch
)

var eventNames = [...]string{"", "sentinel tried", "failover started", "drained", "master switched", "failover aborted", "role mismatch"}

func (t EventType) String() string {
	if t > 0 && int(t) < len(eventNames) {
		return eventNames[t]
	}
	return "event(?)"
}

// Event is a sentinel event, passed to Options.OnEvent.
type Event struct {
	Type     EventType
	Addr     string
	Prev     string
	Reason   string
	Replicas int
	Duration time.Duration
	Err      error
}

func (c *Client) emit(ev Event) {
	if c.opts.OnEvent != nil {
		c.opts.OnEvent(ev)
	}
	if c.hooks != nil {
		route.EmitEvent(c.hooks, fastredis.HookEvent{
			Source:   fastredis.SourceSentinel,
			Type:     int(ev.Type),
			Name:     ev.Type.String(),
			Addr:     ev.Addr,
			Prev:     ev.Prev,
			Reason:   ev.Reason,
			Count:    ev.Replicas,
			Duration: ev.Duration,
			Err:      ev.Err,
		})
	}
	lg := c.opts.Logger
	if lg == nil {
		return
	}
	level := slog.LevelInfo
	attrs := []slog.Attr{slog.String("master", c.opts.MasterName)}
	if ev.Addr != "" {
		attrs = append(attrs, slog.String("addr", ev.Addr))
	}
	switch ev.Type {
	case EventSentinelTried:
		level = slog.LevelDebug
		if ev.Err != nil {
			level = slog.LevelWarn
			attrs = append(attrs, slog.Any("err", ev.Err))
		}
	case EventMasterSwitched:
		attrs = append(attrs, slog.String("prev", ev.Prev), slog.Duration("held", ev.Duration))
	case EventFailoverStarted, EventFailoverAborted, EventRoleMismatch:
		level = slog.LevelWarn
		attrs = append(attrs, slog.String("reason", ev.Reason))
	case EventDrained:
		attrs = append(attrs, slog.Int("replicas", ev.Replicas), slog.Duration("after", ev.Duration))
	}
	lg.LogAttrs(context.Background(), level, "fastredis/sentinel: "+ev.Type.String(), attrs...)
}
