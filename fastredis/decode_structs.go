package fastredis

import (
	"strings"
	"time"

	"github.com/fastredis/fastredis/resp"
)

// Decoders for the structured replies of streams, sorted-set pops, geo,
// XPENDING and CLIENT LIST and INFO.

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
