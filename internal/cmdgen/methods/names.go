package main

import (
	"go/token"
	"sort"
	"strings"
	"unicode"
)

// words are the pieces command names, tokens and argument names are cut
// into, with their Go spelling. Segmentation is by the word list: the
// cut with the fewest pieces wins, a character no word covers
// counting as ten pieces and standing alone, upper-cased.
var words = map[string]string{}

func init() {
	for _, w := range strings.Fields(`
		Abort Abs Ack Acl:ACL ACLCat:ACLCat Add Addr Aggregate All Alpha And Any Aof:AOF Append Approx
		Args Asc Async At Auth Auth2 Auto
		Bcast:BCast Before After Bg Bit Bits Block Box By Byte
		Caching Card Cat Ch:CH Channels Claim Client Cluster Code Command Config Consumer Consumers Coord
		Copy Count Create Cursor
		Db:DB Debug Decr Del Delete Desc Destroy Diff Dist Docs Doctor Dry Dump
		Encoding Entries Echo Eval Event Evict Ex Exact Exists Expire
		Fail Failover Field Filter Flags Float Flush Force Freq From Full Function
		Gen Geo Get Graph Group Groups Gt:GT
		Hard Hash Help Histogram History
		Id:ID Idle Idx:IDX Import Importing Incr Index Info Insert Inter
		Just
		Keep Key Keys Kill
		Laddr:LAddr Last Latency Latest Lcs:LCS Left Len Lex Lib Library Limit List Load Log Lon Lat Lt:LT
		Lmove:LMove Lmpop:LMPop Lpop:LPop Lpush:LPush Lolwut
		Malloc Match Max Maxlen:MaxLen Member Members Memory Merge Migrate Min Mk Mode Module Move My Myid:MyID
		Name Nodes No Node Now Num Nx:NX
		Object Of Offset One Op Optin:OptIn Optout:OptOut Or Order
		Pass Pat Pause Pending Persist Pf:PF Ping Pop Pos Prefix Publish Pub Purge
		Radius Rand Range Rank Read Ref Redir Redirect Rem Rename Replace Replica Replicaof:ReplicaOf Reset
		Restore Retry Rev Rewrite Right Ro:RO Role Rpop:RPop Rpush:RPush Run
		Samples Save Scan Schedule Set Sort In Random Score Scores Script Search Sha Shard Shards Shutdown Size Skip Slave Slot
		Slots Slow Stat Stats Store Str Strlen:StrLen Stream Streams Sub Substr:SubStr Sum Swap Sync
		Takeover Time Timeout To Touch Tracking Trim Ttl:TTL Type
		Unblock Union Unit Unlink Unload Unpause Usage User Users
		Vals Value Values Ver Version
		Wait Weights Who Whoami:WhoAmI With Write
		Xor Xx:XX
		Zmpop:ZMPop
		Added Arg Attr Category Change Channel Circle Comparison Condition Configs Connection Data Decrement
		Deleted Destination Dest Element Enabled End Error Frequency Height Host Increment Latitude Longitude
		Matches Message Milliseconds Ms:MS Local Replicas New Not Operation Operator Overflow Parameter
		Password Path Pattern Pivot Policy Port Rule Seconds Section Selector Serialized Me Sorting Source
		Src Start Status Stop Strategy Target Threshold Unix Weight Where Width Yes Dst
		Master Masters Quorum Cache Sentinel Sentinels Monitor Remove Scripts Slaves Is Down Action Epoch Runid:RunID
		Current Simulate Failure
	`) {
		lower, spelled, ok := strings.Cut(w, ":")
		if !ok {
			spelled = lower
		}
		words[strings.ToLower(lower)] = spelled
	}
}

// nameOverrides fix names the word list gets wrong or that users know by
// another spelling. Keys are upper-case command names, tokens or argument
// names.
var nameOverrides = map[string]string{
	"LOLWUT":       "Lolwut",
	"CKQUORUM":     "CKQuorum",
	"ISMEMBER":     "IsMember",
	"SISMEMBER":    "SIsMember",
	"SMISMEMBER":   "SMIsMember",
	"GETKEYS":      "GetKeys",
	"NOACK":        "NoAck",
	"MKSTREAM":     "MkStream",
	"NOMKSTREAM":   "NoMkStream",
	"NOLOOP":       "NoLoop",
	"NOSAVE":       "NoSave",
	"SETID":        "SetID",
	"XSETID":       "XSetID",
	"LASTID":       "LastID",
	"JUSTID":       "JustID",
	"MINID":        "MinID",
	"MAXDELETEDID": "MaxDeletedID",
	"WAITAOF":      "WaitAOF",
	"SHA1":         "SHA1",
	"ID":           "ID",
	"BGREWRITEAOF": "BgRewriteAOF",
	"FCALL":        "FCall",
	"FCALL_RO":     "FCallRO",
	"SINTERCARD":   "SInterCard",
	"SINTER":       "SInter",
	"SINTERSTORE":  "SInterStore",
	"SUNION":       "SUnion",
	"SUNIONSTORE":  "SUnionStore",
	"SDIFF":        "SDiff",
	"SDIFFSTORE":   "SDiffStore",
	"HSTRLEN":      "HStrLen",
	"PTTL":         "PTTL",
	"KEYSLOT":      "KeySlot",
	"DBSIZE":       "DBSize",
	"FLUSHDB":      "FlushDB",
	"SWAPDB":       "SwapDB",
	"PFADD":        "PFAdd",
	"PFCOUNT":      "PFCount",
	"PFMERGE":      "PFMerge",
	"MSETNX":       "MSetNX",
	"LINSERT":      "LInsert",
	"LINDEX":       "LIndex",
	"CH":           "CH",
	"EX":           "EX",
	"PX":           "PX",
	"EXAT":         "EXAT",
	"PXAT":         "PXAT",
}

// goName turns a Redis name ("ZRANGEBYSCORE", "CLIENT KILL", "min-idle-time",
// "GEORADIUS_RO") into an exported Go name ("ZRangeByScore", "ClientKill",
// "MinIdleTime", "GeoRadiusRO").
func goName(s string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' || r == '_' || r == '.' }) {
		b.WriteString(goWord(part))
	}
	out := b.String()
	if out == "" || !token.IsIdentifier(out) {
		return ""
	}
	return out
}

func goWord(part string) string {
	if o, ok := nameOverrides[strings.ToUpper(part)]; ok {
		return o
	}
	lower := strings.ToLower(part)
	// cost[i] is the cheapest segmentation of lower[i:]: one per word, ten per
	// character no word covers; next[i] is where its first piece ends.
	n := len(lower)
	cost := make([]int, n+1)
	next := make([]int, n+1)
	for i := n - 1; i >= 0; i-- {
		cost[i], next[i] = 10+cost[i+1], i+1
		for j := n; j > i+1; j-- { // longest first: it wins ties
			if _, ok := words[lower[i:j]]; ok && 1+cost[j] < cost[i] {
				cost[i], next[i] = 1+cost[j], j
			}
		}
		if _, ok := words[lower[i:i+1]]; ok && 1+cost[i+1] < cost[i] {
			cost[i], next[i] = 1+cost[i+1], i+1
		}
	}
	var b strings.Builder
	run := 0 // letters in a row no word covers
	for i := 0; i < n; i = next[i] {
		piece := lower[i:next[i]]
		if w, ok := words[piece]; ok {
			b.WriteString(w)
			run = 0
			continue
		}
		c := rune(piece[0])
		switch {
		case unicode.IsDigit(c):
			b.WriteString(piece)
			run = 0
		case unicode.IsLetter(c):
			b.WriteString(strings.ToUpper(piece))
			run++
			if run > 1 && i >= run {
				unknownLetters[part] = true
			}
		}
	}
	return b.String()
}

// unknownLetters records the parts of names with two or more letters in a
// row that no word covers, other than at the start (the B and Z of BZPOPMIN
// are fine): the word list misses something.
var unknownLetters = map[string]bool{}

// lowerName is goName for a parameter or local: "minIdleTime", "keys".
func lowerName(s string) string { return lowerGo(goName(s)) }

// lowerGo lower-cases the start of a Go name: "ID" -> "id", "IDs" -> "ids",
// "DBIndex" -> "dbIndex", "MinIdleTime" -> "minIdleTime".
func lowerGo(n string) string {
	if n == "" {
		return ""
	}
	r := []rune(n)
	i := 0
	for i < len(r) && unicode.IsUpper(r[i]) {
		i++
	}
	switch {
	case i == 0:
	case i == 1 || i == len(r):
		for j := 0; j < i; j++ {
			r[j] = unicode.ToLower(r[j])
		}
	default:
		if unicode.IsLower(r[i]) {
			i-- // the last capital starts the next word
		}
		for j := 0; j < i; j++ {
			r[j] = unicode.ToLower(r[j])
		}
	}
	out := string(r)
	if reservedLocal[out] || token.IsKeyword(out) {
		out += "Arg"
	}
	return out
}

// reservedLocal are names a generated method uses itself, or predeclared
// identifiers it calls, which a parameter must not shadow.
var reservedLocal = map[string]bool{
	"ctx": true, "a": true, "r": true, "o": true, "c": true, "err": true, "raw": true, "opts": true, "dst": true,
	"e": true, "v": true, "i": true, "s": true,
	"len": true, "cap": true, "string": true, "int64": true, "float64": true, "error": true, "new": true,
	"make": true, "append": true, "copy": true, "delete": true, "any": true,
	"bool": true, "byte": true, "true": true, "false": true, "nil": true, "close": true, "print": true,
	"int": true, "clear": true, "panic": true, "real": true,
}

// plural names a slice parameter: "key" -> "keys", "ID" -> "ids".
func plural(name string) string {
	switch {
	case strings.HasSuffix(name, "Arg"):
		return plural(strings.TrimSuffix(name, "Arg"))
	case name == "data":
		return name
	case strings.HasSuffix(name, "s"):
		return name
	case strings.HasSuffix(name, "y") && !strings.HasSuffix(name, "ey"):
		return name[:len(name)-1] + "ies"
	}
	out := name + "s"
	if reservedLocal[out] || token.IsKeyword(out) {
		out += "Arg"
	}
	return out
}

func sortedKeys[M ~map[string]V, V any](m M) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
