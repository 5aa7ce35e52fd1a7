package fastredis

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/fastredis/fastredis/resp"
)

// This file holds what the generated command methods (commands_*_gen.go)
// need beyond call.go: the small result types some replies decode into,
// their decoders, and the raw-reply path they run on.
//
// A decoder allocates only what it returns, and as little of it as it can:
// every string of a reply is copied into one backing array the returned
// strings share (strArena), and nested slices are cut from one backing
// slice each, so XRANGE of a thousand entries costs four allocations, not
// thousands.

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

// rawReply holds a reply re-encoded by modeRaw and parsed again, for the
// decoders that call.go's modes do not cover. It is pooled.
type rawReply struct {
	buf []byte
	rd  resp.Reader
	v   resp.Value
}

var rawReplyPool = sync.Pool{New: func() any { return &rawReply{buf: make([]byte, 0, 512)} }}

func (rr *rawReply) release() {
	rr.v = resp.Value{}
	if cap(rr.buf) > 64<<10 {
		return // let a buffer grown by a large reply go
	}
	rawReplyPool.Put(rr)
}

// execRaw runs the command in a and returns its reply, parsed. A null reply
// is Nil. The caller releases the result, after which its Value is invalid.
func (c *Client) execRaw(ctx context.Context, a *argBuf, command string) (*rawReply, error) {
	r := getResult(modeRaw, command)
	defer r.release()
	rr := rawReplyPool.Get().(*rawReply)
	r.dst = rr.buf[:0]
	err := c.exec(ctx, a, r)
	rr.buf = r.dst[:0]
	if err == nil {
		rr.v, _, err = rr.rd.Parse(r.dst)
	}
	if err == nil && rr.v.IsNull() {
		err = Nil
	}
	if err != nil {
		rr.release()
		return nil, err
	}
	return rr, nil
}

// execStatusNil runs a command whose reply is a status, or a null meaning
// it did nothing (SET with NX or XX): Nil.
func (c *Client) execStatusNil(ctx context.Context, a *argBuf, command string) error {
	rr, err := c.execRaw(ctx, a, command)
	if err != nil {
		return err
	}
	rr.release()
	return nil
}

// sortPattern appends a SORT BY or GET pattern. It names keys, so the key
// prefix applies (as in Do), except to GET's "#", the element itself. (A BY
// pattern without '*', such as "nosort", skips sorting prefixed or not.)
func (a *argBuf) sortPattern(p string) *argBuf {
	if p == "#" {
		return a.str(p)
	}
	return a.key(p)
}

// strArena copies the strings of a reply into one allocation, which the
// returned strings share. Strings already taken stay valid if it grows.
type strArena struct{ b []byte }

func newArena(v resp.Value) strArena { return strArena{b: make([]byte, 0, payload(v))} }

// payload sums the lengths of the strings in v.
func payload(v resp.Value) int {
	switch v.Type() {
	case resp.BulkString, resp.SimpleString, resp.VerbatimString:
		return len(v.Bytes())
	}
	if !v.Type().IsAggregate() {
		return 0
	}
	n := 0
	it := v.Iter()
	for it.Next() {
		n += payload(it.Value())
	}
	return n
}

func (s *strArena) str(v resp.Value) string {
	start := len(s.b)
	s.b = v.AppendBytes(s.b)
	if len(s.b) == start {
		return ""
	}
	return unsafe.String(&s.b[start], len(s.b)-start) // never written again
}

func unexpected(v resp.Value, want string) error {
	return &resp.TypeError{Want: want, Got: v.Type()}
}

func isArray(v resp.Value) bool { return v.Type().IsAggregate() }

// pairs returns the number of key-value pairs in a map or a flat array.
func pairs(v resp.Value) int {
	if v.Type() == resp.Map {
		return v.Len()
	}
	return v.Len() / 2
}

// elems returns the elements of an aggregate reply of exactly n elements.
func elems(v resp.Value, out []resp.Value) error {
	if !isArray(v) || v.Len() != len(out) {
		return unexpected(v, "array of "+string(rune('0'+len(out)))+" elements")
	}
	it := v.Iter()
	for i := range out {
		it.Next()
		out[i] = it.Value()
	}
	return nil
}

func decodeInts(v resp.Value) ([]int64, error) {
	if !isArray(v) {
		return nil, unexpected(v, "array")
	}
	out := make([]int64, 0, v.Len())
	it := v.Iter()
	for it.Next() {
		n, err := it.Value().Int()
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

func decodeNullInts(v resp.Value) ([]NullInt64, error) {
	if !isArray(v) {
		return nil, unexpected(v, "array")
	}
	out := make([]NullInt64, 0, v.Len())
	it := v.Iter()
	for it.Next() {
		if it.Value().IsNull() {
			out = append(out, NullInt64{})
			continue
		}
		n, err := it.Value().Int()
		if err != nil {
			return nil, err
		}
		out = append(out, NullInt64{Value: n, Valid: true})
	}
	return out, nil
}

func decodeNullFloats(v resp.Value) ([]NullFloat, error) {
	if !isArray(v) {
		return nil, unexpected(v, "array")
	}
	out := make([]NullFloat, 0, v.Len())
	it := v.Iter()
	for it.Next() {
		if it.Value().IsNull() {
			out = append(out, NullFloat{})
			continue
		}
		f, err := it.Value().Float()
		if err != nil {
			return nil, err
		}
		out = append(out, NullFloat{Value: f, Valid: true})
	}
	return out, nil
}

func decodeZMembers(v resp.Value) ([]ZMember, error) {
	ar := newArena(v)
	return zmembers(v, &ar)
}

// zmembers reads members and scores: pairs ([[m, s], ...], RESP3), a flat
// list ([m, s, ...], RESP2, and RESP3 for one member) or a map.
func zmembers(v resp.Value, ar *strArena) ([]ZMember, error) {
	if !isArray(v) {
		return nil, unexpected(v, "array")
	}
	it := v.Iter()
	nested := it.Next() && isArray(it.Value())
	n := v.Len()
	if !nested {
		n = pairs(v)
	}
	out := make([]ZMember, 0, n)
	it = v.Iter()
	for it.Next() {
		m, s := it.Value(), resp.Value{}
		if nested {
			var pair [2]resp.Value
			if err := elems(m, pair[:]); err != nil {
				return nil, err
			}
			m, s = pair[0], pair[1]
		} else {
			if !it.Next() {
				return nil, unexpected(v, "member-score pairs")
			}
			s = it.Value()
		}
		score, err := s.Float()
		if err != nil {
			return nil, err
		}
		out = append(out, ZMember{Member: ar.str(m), Score: score})
	}
	return out, nil
}

// decodeFieldValues reads field-value pairs, nested or flat, or a map.
func decodeFieldValues(v resp.Value) ([]FieldValue, error) {
	if !isArray(v) {
		return nil, unexpected(v, "array")
	}
	ar := newArena(v)
	it := v.Iter()
	nested := it.Next() && isArray(it.Value())
	n := v.Len()
	if !nested {
		n = pairs(v)
	}
	out := make([]FieldValue, 0, n)
	it = v.Iter()
	for it.Next() {
		f, val := it.Value(), resp.Value{}
		if nested {
			var pair [2]resp.Value
			if err := elems(f, pair[:]); err != nil {
				return nil, err
			}
			f, val = pair[0], pair[1]
		} else {
			if !it.Next() {
				return nil, unexpected(v, "field-value pairs")
			}
			val = it.Value()
		}
		out = append(out, FieldValue{Field: ar.str(f), Value: ar.str(val)})
	}
	return out, nil
}

// decodeScan reads [cursor, [elements...]].
func decodeScan(v resp.Value) (ScanResult, error) {
	var e [2]resp.Value
	if err := elems(v, e[:]); err != nil {
		return ScanResult{}, err
	}
	cursor, err := e[0].Int()
	if err != nil {
		return ScanResult{}, err
	}
	if !isArray(e[1]) {
		return ScanResult{}, unexpected(e[1], "array")
	}
	ar := newArena(e[1])
	out := ScanResult{Cursor: cursor, Elements: make([]string, 0, e[1].Len())}
	it := e[1].Iter()
	for it.Next() {
		out.Elements = append(out.Elements, ar.str(it.Value()))
	}
	return out, nil
}

// xbacking holds the backing arrays stream messages are cut from.
type xbacking struct {
	ar     strArena
	fields []FieldValue
	msgs   []XMessage
}

// xcount counts the messages and field-value pairs of a list of entries.
func xcount(v resp.Value) (msgs, fields int, err error) {
	if !isArray(v) {
		return 0, 0, unexpected(v, "array of entries")
	}
	it := v.Iter()
	for it.Next() {
		var e [2]resp.Value
		if err := elems(it.Value(), e[:]); err != nil {
			return 0, 0, err
		}
		msgs++
		fields += pairs(e[1])
	}
	return msgs, fields, nil
}

// xmessages reads a list of [id, [field, value, ...]] entries.
func (b *xbacking) xmessages(v resp.Value) ([]XMessage, error) {
	start := len(b.msgs)
	it := v.Iter()
	for it.Next() {
		var e [2]resp.Value
		if err := elems(it.Value(), e[:]); err != nil {
			return nil, err
		}
		m := XMessage{ID: b.ar.str(e[0])}
		if !e[1].IsNull() {
			if !isArray(e[1]) {
				return nil, unexpected(e[1], "array of fields and values")
			}
			fs := len(b.fields)
			fi := e[1].Iter()
			for fi.Next() {
				f := fi.Value()
				if !fi.Next() {
					return nil, unexpected(e[1], "field-value pairs")
				}
				b.fields = append(b.fields, FieldValue{Field: b.ar.str(f), Value: b.ar.str(fi.Value())})
			}
			m.Fields = b.fields[fs:len(b.fields):len(b.fields)]
		}
		b.msgs = append(b.msgs, m)
	}
	return b.msgs[start:len(b.msgs):len(b.msgs)], nil
}

func decodeXMessages(v resp.Value) ([]XMessage, error) {
	msgs, fields, err := xcount(v)
	if err != nil {
		return nil, err
	}
	b := xbacking{ar: newArena(v), fields: make([]FieldValue, 0, fields), msgs: make([]XMessage, 0, msgs)}
	return b.xmessages(v)
}

// decodeXStreams reads XREAD's reply: a map of stream -> entries (RESP3) or
// an array of [stream, entries] (RESP2).
func decodeXStreams(v resp.Value) ([]XStream, error) {
	if !isArray(v) {
		return nil, unexpected(v, "map or array of streams")
	}
	var nmsgs, nfields, nstreams int
	it := v.Iter()
	for {
		_, entries, ok, err := nextStream(&it, v)
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		m, f, err := xcount(entries)
		if err != nil {
			return nil, err
		}
		nmsgs, nfields, nstreams = nmsgs+m, nfields+f, nstreams+1
	}
	b := xbacking{ar: newArena(v), fields: make([]FieldValue, 0, nfields), msgs: make([]XMessage, 0, nmsgs)}
	out := make([]XStream, 0, nstreams)
	it = v.Iter()
	for {
		name, entries, ok, _ := nextStream(&it, v)
		if !ok {
			break
		}
		msgs, err := b.xmessages(entries)
		if err != nil {
			return nil, err
		}
		out = append(out, XStream{Stream: b.ar.str(name), Messages: msgs})
	}
	return out, nil
}

// nextStream returns the next stream name and entries of XREAD's reply v.
func nextStream(it *resp.Iterator, v resp.Value) (name, entries resp.Value, ok bool, err error) {
	if !it.Next() {
		return name, entries, false, nil
	}
	name = it.Value()
	if v.Type() == resp.Map {
		if !it.Next() {
			return name, entries, false, unexpected(v, "map")
		}
		return name, it.Value(), true, nil
	}
	var e [2]resp.Value
	if err := elems(name, e[:]); err != nil {
		return name, entries, false, err
	}
	return e[0], e[1], true, nil
}

// decodeKeyElements reads [key, [elements...]].
func decodeKeyElements(v resp.Value) (KeyElements, error) {
	var e [2]resp.Value
	if err := elems(v, e[:]); err != nil {
		return KeyElements{}, err
	}
	if !isArray(e[1]) {
		return KeyElements{}, unexpected(e[1], "array")
	}
	ar := newArena(v)
	out := KeyElements{Key: ar.str(e[0]), Elements: make([]string, 0, e[1].Len())}
	it := e[1].Iter()
	for it.Next() {
		out.Elements = append(out.Elements, ar.str(it.Value()))
	}
	return out, nil
}

// decodeKeyZMembers reads [key, [[member, score]...]].
func decodeKeyZMembers(v resp.Value) (KeyZMembers, error) {
	var e [2]resp.Value
	if err := elems(v, e[:]); err != nil {
		return KeyZMembers{}, err
	}
	ar := newArena(v)
	key := ar.str(e[0])
	members, err := zmembers(e[1], &ar)
	if err != nil {
		return KeyZMembers{}, err
	}
	return KeyZMembers{Key: key, Members: members}, nil
}

// decodeKeyZMember reads [key, member, score].
func decodeKeyZMember(v resp.Value) (KeyZMember, error) {
	var e [3]resp.Value
	if err := elems(v, e[:]); err != nil {
		return KeyZMember{}, err
	}
	score, err := e[2].Float()
	if err != nil {
		return KeyZMember{}, err
	}
	ar := newArena(v)
	return KeyZMember{Key: ar.str(e[0]), Member: ar.str(e[1]), Score: score}, nil
}

// decodeRankScore reads [rank, score].
func decodeRankScore(v resp.Value) (RankScore, error) {
	var e [2]resp.Value
	if err := elems(v, e[:]); err != nil {
		return RankScore{}, err
	}
	rank, err := e[0].Int()
	if err != nil {
		return RankScore{}, err
	}
	score, err := e[1].Float()
	if err != nil {
		return RankScore{}, err
	}
	return RankScore{Rank: rank, Score: score}, nil
}

// decodeTime reads TIME's [seconds, microseconds].
func decodeTime(v resp.Value) (time.Time, error) {
	var e [2]resp.Value
	if err := elems(v, e[:]); err != nil {
		return time.Time{}, err
	}
	sec, err := e[0].Int()
	if err != nil {
		return time.Time{}, err
	}
	usec, err := e[1].Int()
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(sec, usec*1000), nil
}

// decodeStringInts reads name-count pairs (PUBSUB NUMSUB), flat or a map.
func decodeStringInts(v resp.Value) (map[string]int64, error) {
	if !isArray(v) {
		return nil, unexpected(v, "array")
	}
	ar := newArena(v)
	out := make(map[string]int64, pairs(v))
	it := v.Iter()
	for it.Next() {
		k := it.Value()
		if !it.Next() {
			return nil, unexpected(v, "name-count pairs")
		}
		n, err := it.Value().Int()
		if err != nil {
			return nil, err
		}
		out[ar.str(k)] = n
	}
	return out, nil
}

// decodeGeoLocations reads GEOSEARCH's reply: names, or [name, dist?, hash?,
// [lon, lat]?] told apart by type (a string or double, an integer, an
// array), so it needs no knowledge of the options asked.
func decodeGeoLocations(v resp.Value) ([]GeoLocation, error) {
	if !isArray(v) {
		return nil, unexpected(v, "array")
	}
	ar := newArena(v)
	out := make([]GeoLocation, 0, v.Len())
	it := v.Iter()
	for it.Next() {
		e := it.Value()
		if !isArray(e) {
			out = append(out, GeoLocation{Member: ar.str(e)})
			continue
		}
		var loc GeoLocation
		ei := e.Iter()
		if !ei.Next() {
			return nil, unexpected(e, "a location")
		}
		loc.Member = ar.str(ei.Value())
		for ei.Next() {
			x := ei.Value()
			var err error
			switch {
			case isArray(x):
				var c [2]resp.Value
				if err = elems(x, c[:]); err == nil {
					if loc.Longitude, err = c[0].Float(); err == nil {
						loc.Latitude, err = c[1].Float()
					}
				}
			case x.Type() == resp.Integer:
				loc.Hash, err = x.Int()
			default:
				loc.Dist, err = x.Float()
			}
			if err != nil {
				return nil, err
			}
		}
		out = append(out, loc)
	}
	return out, nil
}

// decodeGeoPos reads GEOPOS's reply: [lon, lat] or null per member.
func decodeGeoPos(v resp.Value) ([]GeoPos, error) {
	if !isArray(v) {
		return nil, unexpected(v, "array")
	}
	out := make([]GeoPos, 0, v.Len())
	it := v.Iter()
	for it.Next() {
		if it.Value().IsNull() {
			out = append(out, GeoPos{})
			continue
		}
		var c [2]resp.Value
		if err := elems(it.Value(), c[:]); err != nil {
			return nil, err
		}
		lon, err := c[0].Float()
		if err != nil {
			return nil, err
		}
		lat, err := c[1].Float()
		if err != nil {
			return nil, err
		}
		out = append(out, GeoPos{Longitude: lon, Latitude: lat, Valid: true})
	}
	return out, nil
}

// decodeXPendingSummary reads [count, lower, upper, [[consumer, count]...]];
// with nothing pending the last three are null.
func decodeXPendingSummary(v resp.Value) (XPendingSummary, error) {
	var e [4]resp.Value
	if err := elems(v, e[:]); err != nil {
		return XPendingSummary{}, err
	}
	count, err := e[0].Int()
	if err != nil {
		return XPendingSummary{}, err
	}
	ar := newArena(v)
	out := XPendingSummary{Count: count, Lower: ar.str(e[1]), Upper: ar.str(e[2])}
	if e[3].IsNull() {
		return out, nil
	}
	if !isArray(e[3]) {
		return XPendingSummary{}, unexpected(e[3], "array of consumers")
	}
	out.Consumers = make([]XPendingConsumer, 0, e[3].Len())
	it := e[3].Iter()
	for it.Next() {
		var c [2]resp.Value
		if err := elems(it.Value(), c[:]); err != nil {
			return XPendingSummary{}, err
		}
		n, err := c[1].Int()
		if err != nil {
			return XPendingSummary{}, err
		}
		out.Consumers = append(out.Consumers, XPendingConsumer{Name: ar.str(c[0]), Pending: n})
	}
	return out, nil
}

// decodeXPendingEntries reads [[id, consumer, idle, deliveries]...].
func decodeXPendingEntries(v resp.Value) ([]XPendingEntry, error) {
	if !isArray(v) {
		return nil, unexpected(v, "array")
	}
	ar := newArena(v)
	out := make([]XPendingEntry, 0, v.Len())
	it := v.Iter()
	for it.Next() {
		var e [4]resp.Value
		if err := elems(it.Value(), e[:]); err != nil {
			return nil, err
		}
		idle, err := e[2].Int()
		if err != nil {
			return nil, err
		}
		n, err := e[3].Int()
		if err != nil {
			return nil, err
		}
		out = append(out, XPendingEntry{ID: ar.str(e[0]), Consumer: ar.str(e[1]), Idle: idle, Deliveries: n})
	}
	return out, nil
}

// decodeClientInfos parses CLIENT LIST's text: one client a line, each
// "name=value" properties separated by spaces.
func decodeClientInfos(v resp.Value) ([]ClientInfo, error) {
	text, err := clientText(v)
	if err != nil {
		return nil, err
	}
	lines := strings.Count(text, "\n")
	if !strings.HasSuffix(text, "\n") && text != "" {
		lines++
	}
	props := make([]FieldValue, 0, strings.Count(text, "="))
	out := make([]ClientInfo, 0, lines)
	for text != "" {
		var line string
		line, text, _ = strings.Cut(text, "\n")
		start := len(props)
		props = clientProps(props, line)
		out = append(out, ClientInfo(props[start:len(props):len(props)]))
	}
	return out, nil
}

// decodeClientInfo parses CLIENT INFO's line.
func decodeClientInfo(v resp.Value) (ClientInfo, error) {
	text, err := clientText(v)
	if err != nil {
		return nil, err
	}
	text = strings.TrimRight(text, "\r\n")
	return ClientInfo(clientProps(make([]FieldValue, 0, strings.Count(text, "=")), text)), nil
}

// clientText copies the text of a CLIENT LIST or CLIENT INFO reply.
func clientText(v resp.Value) (string, error) {
	switch v.Type() {
	case resp.BulkString, resp.VerbatimString, resp.SimpleString:
	default:
		return "", unexpected(v, "string")
	}
	ar := newArena(v)
	return ar.str(v), nil
}

// clientProps appends the name=value properties of one line.
func clientProps(dst []FieldValue, line string) []FieldValue {
	for line != "" {
		var p string
		p, line, _ = strings.Cut(line, " ")
		if p == "" {
			continue
		}
		name, value, _ := strings.Cut(p, "=")
		dst = append(dst, FieldValue{Field: name, Value: value})
	}
	return dst
}
