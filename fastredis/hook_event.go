package fastredis

import "time"

// EventSource says which part of a client an event comes from.
type EventSource uint8

const (
	// SourceClient: a client's connection lifecycle (Event), its offline
	// queue, its subscribers.
	SourceClient EventSource = iota + 1
	// SourceCluster: a cluster client's topology (cluster.Event).
	SourceCluster
	// SourceSentinel: a sentinel client's failovers (sentinel.Event).
	SourceSentinel
)

var sourceNames = [...]string{"", "client", "cluster", "sentinel"}

func (s EventSource) String() string {
	if int(s) < len(sourceNames) && s > 0 {
		return sourceNames[s]
	}
	return "source(?)"
}

// HookEvent is an event as an EventHook receives it: one type for the
// events of every client kind. Source says where it comes from, Type and
// Name which event it is: for SourceClient an EventType (or one of the
// Hook* event types below, which only hooks receive), for SourceCluster a
// cluster.EventType, for SourceSentinel a sentinel.EventType, as a number
// and as that type's String. The other fields are those of the event
// (cluster.Event, sentinel.Event, Event) that apply; the rest are zero.
type HookEvent struct {
	Source EventSource
	Type   int
	Name   string // "reconnecting", "refreshed", "redirected", "master switched", "offline queue", ...

	// Addr is the server the event concerns: for a client's events, the
	// client's address (a cluster node's, the current master's); for a
	// cluster's, the node; for a sentinel's, the sentinel, master or
	// replica the event names.
	Addr     string
	Prev     string // SourceSentinel: the previous master
	Conn     string // SourceClient: the connection ("shared 0", "pubsub", "monitor")
	Reason   string // why: a refresh's trigger, MOVED or ASK, a failover's announcement
	Slot     int    // SourceCluster, redirected: the slot
	Attempt  int    // reconnecting, error: the attempt number
	DB       int    // ready, select: the database
	Count    int    // offline queue: commands waiting; pubsub: channels resubscribed or messages dropped in all; drained: replicas
	Bytes    int    // offline queue: their encoded size
	Changed  bool   // SourceCluster, refreshed: whether any slot moved
	Master   bool   // SourceCluster, node added: it is a master
	Delay    time.Duration
	Duration time.Duration // a refresh's, a failover's: how long it took
	Err      error
}

// Client events only hooks receive (SourceClient, beside the EventTypes).
const (
	// HookEventOfflineQueue: the offline queue of a shared connection
	// (Conn) changed: Count commands and Bytes bytes now wait. Emitted
	// only while an EventHook is set.
	HookEventOfflineQueue = 100 + iota
	// HookEventResubscribed: a subscriber's connection came back and
	// subscribed again to Count channels and patterns.
	HookEventResubscribed
	// HookEventPubSubDropped: a subscriber dropped a message because its
	// reader fell behind; Count is how many it has dropped in all.
	HookEventPubSubDropped
)

// hookEventName names the client events only hooks receive.
func hookEventName(t int) string {
	switch t {
	case HookEventOfflineQueue:
		return "offline queue"
	case HookEventResubscribed:
		return "resubscribed"
	case HookEventPubSubDropped:
		return "pubsub dropped"
	}
	return EventType(t).String()
}

// emitHook hands a client event only hooks receive to them.
func (c *Client) emitHook(ev HookEvent) {
	if c.hooks == nil || !c.hooks.hasEvents() {
		return
	}
	ev.Source = SourceClient
	if ev.Name == "" {
		ev.Name = hookEventName(ev.Type)
	}
	if ev.Addr == "" {
		ev.Addr = c.serverAddr()
	}
	c.hooks.emit(ev)
}

// hookEventOf is ev as the hooks see it.
func (c *Client) hookEventOf(ev Event) HookEvent {
	return HookEvent{
		Source:  SourceClient,
		Type:    int(ev.Type),
		Name:    ev.Type.String(),
		Addr:    c.serverAddr(),
		Conn:    ev.Conn,
		Attempt: ev.Attempt,
		DB:      ev.DB,
		Delay:   ev.Delay,
		Err:     ev.Err,
	}
}
