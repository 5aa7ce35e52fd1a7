package fastredis

import (
	"strconv"
)

// The result types that some generated command methods return.

// NullInt64 is an element of a reply that may hold nulls, such as
// BITFIELD's with OVERFLOW FAIL.
type NullInt64 struct {
	Value int64
	Valid bool // false for a null
}

// NullFloat is an element of a reply that may hold nulls, such as
// ZMSCORE's for a missing member.
type NullFloat struct {
	Value float64
	Valid bool // false for a null
}

// ZMember is a sorted-set member with its score: what ZADD adds, and what
// ZRangeWithScores, ZPopMin and the other WITHSCORES forms return.
type ZMember struct {
	Member string
	Score  float64
}

// FieldValue is a field of a hash or a stream entry with its value: what
// HSET, HMSET and XADD set, and what HRandFieldWithValues and XMessage hold.
type FieldValue struct {
	Field string
	Value string
}

// ScanResult is a page of SCAN, SSCAN, HSCAN or ZSCAN: pass Cursor to the
// next call; 0 means the iteration is complete. HSCAN and ZSCAN elements
// alternate fields (members) and values (scores).
type ScanResult struct {
	Cursor   int64
	Elements []string
}

// XMessage is a stream entry. A message deleted while it was pending in a
// consumer group has no Fields (XREADGROUP, XCLAIM).
type XMessage struct {
	ID     string
	Fields []FieldValue
}

// XStream holds the messages read from one stream (XREAD, XREADGROUP).
type XStream struct {
	Stream   string
	Messages []XMessage
}

// KeyElements is what LMPOP and BLMPOP pop: the list's key and its elements.
type KeyElements struct {
	Key      string
	Elements []string
}

// KeyZMembers is what ZMPOP and BZMPOP pop: the sorted set's key and its
// members.
type KeyZMembers struct {
	Key     string
	Members []ZMember
}

// KeyZMember is what BZPOPMIN and BZPOPMAX pop: the sorted set's key and
// one member.
type KeyZMember struct {
	Key    string
	Member string
	Score  float64
}

// RankScore is a member's rank and score (ZRANK and ZREVRANK WITHSCORE).
type RankScore struct {
	Rank  int64
	Score float64
}

// GeoLocation is a member found by GEOSEARCH: Dist, Hash, Longitude and
// Latitude are set when WITHDIST, WITHHASH and WITHCOORD ask for them.
type GeoLocation struct {
	Member    string
	Dist      float64 // in the query's unit
	Hash      int64   // the raw 52-bit geohash
	Longitude float64
	Latitude  float64
}

// GeoPos is a member's position (GEOPOS); a missing member's is not Valid.
type GeoPos struct {
	Longitude float64
	Latitude  float64
	Valid     bool
}

// XPendingSummary is the summary form of XPENDING.
type XPendingSummary struct {
	Count     int64  // pending messages
	Lower     string // smallest pending ID ("" when none)
	Upper     string // greatest pending ID ("" when none)
	Consumers []XPendingConsumer
}

// XPendingConsumer is a consumer with pending messages.
type XPendingConsumer struct {
	Name    string
	Pending int64
}

// XPendingEntry is a pending message (extended form of XPENDING).
type XPendingEntry struct {
	ID         string
	Consumer   string
	Idle       int64 // milliseconds since it was last delivered
	Deliveries int64
}

// ClientInfo is a client as CLIENT LIST and CLIENT INFO describe it: its
// properties in the server's order ("id", "addr", "laddr", "fd", "name",
// "age", "idle", "flags", "db", ..., "cmd", "user", "lib-name", "lib-ver").
type ClientInfo []FieldValue

// Get returns the value of the property name, or "" if there is none.
func (ci ClientInfo) Get(name string) string {
	for _, p := range ci {
		if p.Field == name {
			return p.Value
		}
	}
	return ""
}

// ID returns the client's id property, or 0.
func (ci ClientInfo) ID() int64 {
	n, _ := strconv.ParseInt(ci.Get("id"), 10, 64)
	return n
}
