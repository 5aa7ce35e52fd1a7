package main

import (
	"fmt"
	"sort"
	"strings"
)

// resultKind is how a method turns its reply into a Go value.
type resultKind struct {
	goType  string // the returned type; "" for a method that returns only an error
	mode    string // the exec result mode, or "" for a decoder over the raw reply
	field   string // the result field holding the value (with mode)
	decoder string // the decode function (without mode)
	zero    string // the zero value, returned with an error (decoder kinds)
	note    string // how the Go value relates to the reply, for the table in the docs
}

// resultKinds are every result a generated method can have.
var resultKinds = map[string]resultKind{
	"status":           {mode: "modeStatus", note: "error only (an OK or other status)"},
	"statusNil":        {decoder: "statusNil", note: "error only; a null reply is Nil"},
	"int":              {goType: "int64", mode: "modeInt", field: "r.i", note: "int64; a null reply is Nil"},
	"bool":             {goType: "bool", mode: "modeBool", field: "r.b", note: "bool, from an integer reply that is an outcome: 1 (true) or 0 (false)"},
	"bools":            {goType: "[]bool", decoder: "decodeBools", zero: "nil", note: "[]bool, from an array of 1/0 outcomes"},
	"float":            {goType: "float64", mode: "modeFloat", field: "r.f", note: "float64 (RESP3 double or a number in a string); a null reply is Nil"},
	"string":           {goType: "string", mode: "modeString", field: "r.s", note: "string, plus a NameAppend form that appends to a []byte; a null reply is Nil"},
	"strings":          {goType: "[]string", mode: "modeStrings", field: "r.strs", note: "[]string; a null reply is Nil"},
	"nullStrings":      {goType: "[]NullString", mode: "modeNullStrings", field: "r.nstrs", note: "[]NullString: null elements are not Valid"},
	"stringMap":        {goType: "map[string]string", mode: "modeStringMap", field: "r.m", note: "map[string]string, from a RESP3 map or a RESP2 array of pairs"},
	"reply":            {goType: "Reply", mode: "modeReply", field: "r.reply", note: "Reply, the whole reply; a null reply is Nil"},
	"ints":             {goType: "[]int64", decoder: "decodeInts", zero: "nil", note: "[]int64"},
	"nullInts":         {goType: "[]NullInt64", decoder: "decodeNullInts", zero: "nil", note: "[]NullInt64: null elements are not Valid"},
	"nullFloats":       {goType: "[]NullFloat", decoder: "decodeNullFloats", zero: "nil", note: "[]NullFloat: null elements are not Valid"},
	"zmembers":         {goType: "[]ZMember", decoder: "decodeZMembers", zero: "nil", note: "[]ZMember{Member, Score}, from pairs (RESP3) or a flat list (RESP2)"},
	"fieldValues":      {goType: "[]FieldValue", decoder: "decodeFieldValues", zero: "nil", note: "[]FieldValue{Field, Value}, in reply order"},
	"scan":             {goType: "ScanResult", decoder: "decodeScan", zero: "ScanResult{}", note: "ScanResult{Cursor, Elements}"},
	"xmessages":        {goType: "[]XMessage", decoder: "decodeXMessages", zero: "nil", note: "[]XMessage{ID, Fields []FieldValue}"},
	"xstreams":         {goType: "[]XStream", decoder: "decodeXStreams", zero: "nil", note: "[]XStream{Stream, Messages []XMessage}; a null reply is Nil"},
	"keyElements":      {goType: "KeyElements", decoder: "decodeKeyElements", zero: "KeyElements{}", note: "KeyElements{Key, Elements}; a null reply is Nil"},
	"keyZMembers":      {goType: "KeyZMembers", decoder: "decodeKeyZMembers", zero: "KeyZMembers{}", note: "KeyZMembers{Key, Members []ZMember}; a null reply is Nil"},
	"keyZMember":       {goType: "KeyZMember", decoder: "decodeKeyZMember", zero: "KeyZMember{}", note: "KeyZMember{Key, Member, Score}; a null reply is Nil"},
	"rankScore":        {goType: "RankScore", decoder: "decodeRankScore", zero: "RankScore{}", note: "RankScore{Rank, Score}; a null reply is Nil"},
	"time":             {goType: "time.Time", decoder: "decodeTime", zero: "time.Time{}", note: "time.Time"},
	"seconds":          {goType: "time.Duration", decoder: "decodeSeconds", zero: "0", note: "time.Duration from seconds; -1 and -2 (no expiry, no key) stay TTLNoExpiry and TTLNoKey"},
	"milliseconds":     {goType: "time.Duration", decoder: "decodeMilliseconds", zero: "0", note: "time.Duration from milliseconds; -1 and -2 stay TTLNoExpiry and TTLNoKey"},
	"unixSeconds":      {goType: "time.Time", decoder: "decodeUnixSeconds", zero: "time.Time{}", note: "time.Time from Unix seconds; no key is Nil, no expiry ErrNoExpiry"},
	"unixMilliseconds": {goType: "time.Time", decoder: "decodeUnixMilliseconds", zero: "time.Time{}", note: "time.Time from Unix milliseconds; no key is Nil, no expiry ErrNoExpiry"},
	"stringInts":       {goType: "map[string]int64", decoder: "decodeStringInts", zero: "nil", note: "map[string]int64, from pairs"},
	"geoLocations":     {goType: "[]GeoLocation", decoder: "decodeGeoLocations", zero: "nil", note: "[]GeoLocation{Member, Dist, Hash, Longitude, Latitude}"},
	"geoPos":           {goType: "[]GeoPos", decoder: "decodeGeoPos", zero: "nil", note: "[]GeoPos{Longitude, Latitude, Valid}"},
	"xpendingSummary":  {goType: "XPendingSummary", decoder: "decodeXPendingSummary", zero: "XPendingSummary{}", note: "XPendingSummary{Count, Lower, Upper, Consumers}"},
	"clientInfos":      {goType: "[]ClientInfo", decoder: "decodeClientInfos", zero: "nil", note: "[]ClientInfo, CLIENT LIST's lines parsed into name=value properties"},
	"clientInfo":       {goType: "ClientInfo", decoder: "decodeClientInfo", zero: "nil", note: "ClientInfo, CLIENT INFO's line parsed into name=value properties"},
	"xpendingEntries":  {goType: "[]XPendingEntry", decoder: "decodeXPendingEntries", zero: "nil", note: "[]XPendingEntry{ID, Consumer, Idle, Deliveries}"},
}

// schemaKind picks a result kind from a reply_schema. It returns "" when the
// command has no schema.
func schemaKind(s any) string {
	if s == nil {
		return ""
	}
	k, _ := kindOf(s)
	if k == "null" || k == "" {
		return "reply"
	}
	return k
}

// kindOf classifies a schema: one of status, string, int, float, strings,
// nullStrings, ints, nullInts, nullFloats, stringMap, reply, or null. The
// second result reports a possible null (besides the value's kind).
func kindOf(s any) (kind string, nullable bool) {
	m, ok := s.(map[string]any)
	if !ok {
		return "reply", false
	}
	if isOutcome(m) {
		return "bool", false
	}
	for _, key := range []string{"oneOf", "anyOf"} {
		alts, ok := m[key].([]any)
		if !ok {
			continue
		}
		kinds := map[string]bool{}
		for _, alt := range alts {
			k, n := kindOf(alt)
			nullable = nullable || n
			if k == "null" {
				nullable = true
				continue
			}
			kinds[k] = true
		}
		// A status alternative next to a string one is a string.
		if kinds["status"] && kinds["string"] {
			delete(kinds, "status")
		}
		if len(kinds) != 1 {
			if len(kinds) == 0 {
				return "null", true
			}
			return "reply", nullable
		}
		for k := range kinds {
			if k == "status" && nullable {
				return "statusNil", true
			}
			return k, nullable
		}
	}
	if c, ok := m["const"]; ok {
		switch c := c.(type) {
		case string:
			if c == "OK" {
				return "status", false
			}
			return "string", false
		case float64, int:
			return "int", false
		}
		return "reply", false
	}
	switch m["type"] {
	case "string":
		return "string", false
	case "integer":
		return "int", false
	case "number":
		return "float", false
	case "null":
		return "null", true
	case "array":
		return arrayKind(m), false
	case "object":
		if ap, ok := m["additionalProperties"].(map[string]any); ok && ap["type"] == "string" && m["properties"] == nil && m["patternProperties"] == nil {
			return "stringMap", false
		}
	}
	return "reply", false
}

func arrayKind(m map[string]any) string {
	var elems []any
	switch it := m["items"].(type) {
	case map[string]any:
		elems = []any{it}
	case []any:
		elems = it
		if add, ok := m["additionalItems"]; ok {
			elems = append(elems, add)
		}
	default:
		return "reply"
	}
	kinds := map[string]bool{}
	nullable := false
	for _, e := range elems {
		k, n := kindOf(e)
		nullable = nullable || n
		if k == "status" {
			k = "string"
		}
		if k != "null" {
			kinds[k] = true
		}
	}
	if len(kinds) != 1 {
		return "reply"
	}
	switch {
	case kinds["bool"] && !nullable:
		return "bools"
	case kinds["string"] && nullable:
		return "nullStrings"
	case kinds["string"]:
		return "strings"
	case kinds["int"] && nullable:
		return "nullInts"
	case kinds["int"]:
		return "ints"
	case kinds["float"] && nullable:
		return "nullFloats"
	}
	return "reply"
}

// isOutcome reports whether a schema is a yes-or-no outcome: exactly the
// integer constants 0 and 1 (SETNX, EXPIRE, SISMEMBER, ...). Such replies
// are booleans in Go. A count that can only be 0 or 1 ("the number of
// destroyed consumer groups") and a bit's value (GETBIT) say so in their
// description, and stay integers.
func isOutcome(m map[string]any) bool {
	alts, ok := m["oneOf"].([]any)
	if !ok || len(alts) != 2 {
		return false
	}
	seen := map[float64]bool{}
	for _, alt := range alts {
		am, ok := alt.(map[string]any)
		if !ok {
			return false
		}
		c, ok := am["const"].(float64)
		if !ok || (c != 0 && c != 1) {
			return false
		}
		seen[c] = true
	}
	if d, _ := m["description"].(string); strings.Contains(strings.ToLower(d), "number") || strings.Contains(strings.ToLower(d), "bit") {
		return false
	}
	return seen[0] && seen[1]
}

// replyDescriptions lists the descriptions a reply schema gives its
// alternatives, nulls marked.
func replyDescriptions(s any) []string {
	m, ok := s.(map[string]any)
	if !ok {
		return nil
	}
	var out []string
	for _, key := range []string{"oneOf", "anyOf"} {
		if alts, ok := m[key].([]any); ok {
			for _, alt := range alts {
				out = append(out, replyDescriptions(alt)...)
			}
			if len(out) > 0 {
				return dedupe(out)
			}
		}
	}
	d, _ := m["description"].(string)
	if d == "" {
		return nil
	}
	d = strings.TrimSpace(d)
	if m["type"] == "null" {
		d = "null (Nil): " + d
	}
	return []string{d}
}

// plainString reports whether a schema allows a string that is not a
// status: a constant ("OK", "Background saving started") or a pattern (an
// ID, "OK*"). Only such replies get an Append form.
func plainString(s any) bool {
	m, ok := s.(map[string]any)
	if !ok {
		return false
	}
	for _, key := range []string{"oneOf", "anyOf"} {
		if alts, ok := m[key].([]any); ok {
			for _, alt := range alts {
				if plainString(alt) {
					return true
				}
			}
		}
	}
	_, hasPattern := m["pattern"]
	return m["type"] == "string" && !hasPattern
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func checkKinds() error {
	for _, vs := range variants {
		for _, v := range vs {
			if _, ok := resultKinds[v.result]; v.result != "" && !ok {
				return fmt.Errorf("unknown result kind %q", v.result)
			}
		}
	}
	return nil
}

// resultTable documents the mapping, for the generator's tests and doc.
func resultTable() string {
	var b strings.Builder
	for _, k := range sortedKeys(resultKinds) {
		fmt.Fprintf(&b, "%-16s %s\n", k, resultKinds[k].note)
	}
	return b.String()
}

var _ = sort.Strings
