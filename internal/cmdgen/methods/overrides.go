package main

import (
	"sort"
	"strings"

	"github.com/fastredis/fastredis/internal/cmdgen/spec"
)

// Every judgement the specs cannot make by themselves is in this file.

// skipReasons are commands that get no method, and why.
var skipReasons = map[string]string{
	"SUBSCRIBE":    "pub/sub: puts the connection in subscriber mode (dedicated pub/sub API)",
	"PSUBSCRIBE":   "pub/sub: puts the connection in subscriber mode (dedicated pub/sub API)",
	"SSUBSCRIBE":   "pub/sub: puts the connection in subscriber mode (dedicated pub/sub API)",
	"UNSUBSCRIBE":  "pub/sub: subscriber-mode only (dedicated pub/sub API)",
	"PUNSUBSCRIBE": "pub/sub: subscriber-mode only (dedicated pub/sub API)",
	"SUNSUBSCRIBE": "pub/sub: subscriber-mode only (dedicated pub/sub API)",
	"MONITOR":      "turns the connection into an event stream (dedicated monitor API)",
	"SYNC":         "replication protocol, not a client command",
	"PSYNC":        "replication protocol, not a client command",
	"QUIT":         "closes the shared connection (deprecated; use Close)",
	"RESET":        "resets the shared connection's state (handshake)",
	"MULTI":        "transactions come through the transaction API",
	"EXEC":         "transactions come through the transaction API",
	"DISCARD":      "transactions come through the transaction API",
	"WATCH":        "transactions come through the transaction API (needs a dedicated connection)",
	"UNWATCH":      "transactions come through the transaction API (needs a dedicated connection)",
	"CLIENT REPLY": "switching replies off desynchronises a pipelined connection",
	"HELLO":        "part of the connection handshake (Options.Protocol)",
	"AUTH":         "part of the connection handshake (Options.Username, Options.Password)",
	"SELECT":       "part of the connection handshake (Options.DB); on a shared pool it would switch one connection",
	"ASKING":       "cluster redirection state of one connection: the cluster package sends it",
	"READONLY":     "cluster read-scaling state of one connection: the cluster package sends it",
	"READWRITE":    "cluster read-scaling state of one connection: the cluster package sends it",

	"SENTINEL SIMULATE-FAILURE": "testing Sentinel itself: makes the sentinel crash",
	"SENTINEL DEBUG":            "Sentinel's internal timing knobs, for its own tests",
}

// clusterKept are the CLUSTER subcommands generated now; the others (cluster
// administration) come with the cluster package.
var clusterKept = map[string]bool{
	"CLUSTER KEYSLOT": true, "CLUSTER INFO": true, "CLUSTER NODES": true, "CLUSTER SLOTS": true,
	"CLUSTER SHARDS": true, "CLUSTER MYID": true, "CLUSTER COUNTKEYSINSLOT": true, "CLUSTER GETKEYSINSLOT": true,
}

// variant is one method made from a command. Most commands have one, the
// base method; commands whose reply changes shape with an option get one
// method per shape, so each can return a precise Go type.
type variant struct {
	suffix  string   // appended to the base name ("" for the base method)
	exclude []string // argument paths (names joined by '.') the method does not offer
	require []string // optional arguments the method makes required parameters
	force   []string // optional pure tokens the method always sends
	result  string   // result kind (see resultKinds); "" derives it from the reply schema
	doc     string   // what this method is, in a sentence
}

// variants lists the commands that are not one method with a result derived
// from the reply schema.
var variants = map[string][]variant{
	"SET": {
		{exclude: []string{"get"}, result: "statusNil",
			doc: "Without GET; a null reply (an NX or XX condition not met) is the Nil error."},
		{suffix: "Get", force: []string{"get"}, result: "string",
			doc: "SET with GET: it returns the old value, or Nil if the key did not exist."},
	},
	"INCRBYFLOAT":  {{result: "float", doc: "The new value is parsed as a float64."}},
	"HINCRBYFLOAT": {{result: "float", doc: "The new value is parsed as a float64."}},
	"GEODIST":      {{result: "float", doc: "The distance is parsed as a float64; Nil if a member is missing."}},
	"LPOP":         popVariants("count", "[]string"),
	"RPOP":         popVariants("count", "[]string"),
	"SPOP":         popVariants("count", "[]string"),
	"SRANDMEMBER":  popVariants("count", "[]string"),
	"HRANDFIELD": {
		{exclude: []string{"options"}, result: "string", doc: "Without a count: one random field, Nil if the key does not exist."},
		{suffix: "Count", require: []string{"options"}, exclude: []string{"options.withvalues"}, result: "strings",
			doc: "With a count: up to count distinct fields (a negative count allows repeats)."},
		{suffix: "WithValues", require: []string{"options"}, force: []string{"options.withvalues"}, result: "fieldValues",
			doc: "With a count and WITHVALUES: fields and their values."},
	},
	"ZRANDMEMBER": {
		{exclude: []string{"options"}, result: "string", doc: "Without a count: one random member, Nil if the key does not exist."},
		{suffix: "Count", require: []string{"options"}, exclude: []string{"options.withscores"}, result: "strings",
			doc: "With a count: up to count distinct members (a negative count allows repeats)."},
		{suffix: "WithScores", require: []string{"options"}, force: []string{"options.withscores"}, result: "zmembers",
			doc: "With a count and WITHSCORES: members and their scores."},
	},
	"LPOS": {
		{exclude: []string{"num-matches"}, result: "int", doc: "Without COUNT: the first match's index, Nil if there is none."},
		{suffix: "Count", require: []string{"num-matches"}, result: "ints", doc: "With COUNT: the indexes of up to count matches (0: all)."},
	},
	"ZRANK":            rankVariants(),
	"ZREVRANK":         rankVariants(),
	"ZRANGE":           withScores("withscores"),
	"ZRANGEBYSCORE":    withScores("withscores"),
	"ZREVRANGE":        withScores("withscores"),
	"ZREVRANGEBYSCORE": withScores("withscores"),
	"ZUNION":           withScores("withscores"),
	"ZINTER":           withScores("withscores"),
	"ZDIFF":            withScores("withscores"),
	"ZPOPMIN": {{require: []string{"count"}, result: "zmembers",
		doc: "The count is required, so the reply has one shape: up to count members with their scores."}},
	"ZPOPMAX": {{require: []string{"count"}, result: "zmembers",
		doc: "The count is required, so the reply has one shape: up to count members with their scores."}},
	"BZPOPMIN": {{result: "keyZMember", doc: "Nil when the timeout expires."}},
	"BZPOPMAX": {{result: "keyZMember", doc: "Nil when the timeout expires."}},
	"ZMPOP":    {{result: "keyZMembers", doc: "Nil when every set is empty."}},
	"BZMPOP":   {{result: "keyZMembers", doc: "Nil when the timeout expires."}},
	"LMPOP":    {{result: "keyElements", doc: "Nil when every list is empty."}},
	"BLMPOP":   {{result: "keyElements", doc: "Nil when the timeout expires."}},
	"ZADD": {
		{exclude: []string{"increment"}, result: "int", doc: "Without INCR: the number of members added (changed, with CH)."},
		{suffix: "Incr", force: []string{"increment"}, result: "float",
			doc: "ZADD with INCR (give one member): the member's new score, Nil if NX, XX, GT or LT stopped it."},
	},
	"ZMSCORE": {{result: "nullFloats", doc: "A missing member's element is not Valid."}},
	"LCS": {
		{exclude: []string{"len", "idx", "min-match-len", "withmatchlen"}, result: "string", doc: "The longest common substring."},
		{suffix: "Len", force: []string{"len"}, exclude: []string{"idx", "min-match-len", "withmatchlen"}, result: "int",
			doc: "LCS with LEN: the length of the longest common substring."},
		{suffix: "Idx", force: []string{"idx"}, exclude: []string{"len"}, result: "reply",
			doc: "LCS with IDX: the matches and the length, as a Reply (a map)."},
	},
	"SORT": {
		{exclude: []string{"destination"}, result: "nullStrings", doc: "Without STORE: the sorted elements (GET of a missing key gives an element that is not Valid)."},
		{suffix: "Store", require: []string{"destination"}, result: "int", doc: "SORT with STORE: the number of elements stored."},
	},
	"SORT_RO": {{result: "nullStrings", doc: "GET of a missing key gives an element that is not Valid."}},
	"GEOSEARCH": {
		{exclude: []string{"withcoord", "withdist", "withhash"}, result: "strings", doc: "Without WITHCOORD, WITHDIST and WITHHASH: member names."},
		{suffix: "Location", result: "geoLocations", doc: "With any of WITHCOORD, WITHDIST and WITHHASH (set them in the options): members with what was asked for."},
	},
	"GEOPOS":    {{result: "geoPos", doc: "A missing member's element is not Valid."}},
	"XRANGE":    {{result: "xmessages"}},
	"XREVRANGE": {{result: "xmessages"}},
	"XREAD":     {{result: "xstreams", doc: "Nil when BLOCK times out."}},
	"XREADGROUP": {{result: "xstreams",
		doc: "Nil when BLOCK times out. A message deleted while pending has no Fields."}},
	"XCLAIM": {
		{exclude: []string{"justid"}, result: "xmessages", doc: "The claimed messages."},
		{suffix: "JustID", force: []string{"justid"}, result: "strings", doc: "XCLAIM with JUSTID: the claimed IDs."},
	},
	"XPENDING": {
		{exclude: []string{"filters"}, result: "xpendingSummary", doc: "The summary form."},
		{suffix: "Ext", require: []string{"filters"}, result: "xpendingEntries", doc: "The extended form: one entry per pending message."},
	},
	"SCAN":               {{result: "scan"}},
	"SSCAN":              {{result: "scan"}},
	"HSCAN":              {{result: "scan", doc: "Elements alternate fields and values."}},
	"ZSCAN":              {{result: "scan", doc: "Elements alternate members and scores."}},
	"TIME":               {{result: "time", doc: "The server's clock, as a time.Time."}},
	"TTL":                {{result: "seconds", doc: "The time to live as a time.Duration: TTLNoExpiry for a key without one, TTLNoKey for a missing key."}},
	"PTTL":               {{result: "milliseconds", doc: "The time to live as a time.Duration: TTLNoExpiry for a key without one, TTLNoKey for a missing key."}},
	"OBJECT IDLETIME":    {{result: "seconds", doc: "How long the key has been idle, as a time.Duration (whole seconds); Nil for a missing key."}},
	"EXPIRETIME":         {{result: "unixSeconds", doc: "When the key expires, as a time.Time; Nil for a missing key, ErrNoExpiry for a key without an expiry."}},
	"PEXPIRETIME":        {{result: "unixMilliseconds", doc: "When the key expires, as a time.Time (millisecond precision); Nil for a missing key, ErrNoExpiry for a key without an expiry."}},
	"PUBSUB NUMSUB":      {{result: "stringInts", doc: "Channel -> number of subscribers."}},
	"PUBSUB SHARDNUMSUB": {{result: "stringInts", doc: "Shard channel -> number of subscribers."}},
	"BITFIELD":           {{result: "nullInts", doc: "An operation stopped by OVERFLOW FAIL gives an element that is not Valid."}},
	"WAITAOF":            {{result: "ints", doc: "The number of local and of replica AOFs that acknowledged."}},
	"CLIENT LIST": {
		{},
		{suffix: "Parsed", result: "clientInfos", doc: "The clients, parsed: one ClientInfo per line."},
	},
	"CLIENT INFO": {
		{},
		{suffix: "Parsed", result: "clientInfo", doc: "The client, parsed."},
	},
	"CLIENT KILL":          {{result: "int", doc: "The number of clients killed. (The legacy CLIENT KILL ip:port form is not offered: set Addr.)"}},
	"PUBSUB CHANNELS":      {{result: "strings"}},
	"PUBSUB SHARDCHANNELS": {{result: "strings"}},
}

func popVariants(count, many string) []variant {
	return []variant{
		{exclude: []string{count}, result: "string", doc: "Without a count: one element, Nil if there is none."},
		{suffix: "Count", require: []string{count}, result: "strings", doc: "With a count: up to count elements; Nil if the key does not exist."},
	}
}

func rankVariants() []variant {
	return []variant{
		{exclude: []string{"withscore"}, result: "int", doc: "Without WITHSCORE: the rank, Nil if the member or key does not exist."},
		{suffix: "WithScore", force: []string{"withscore"}, result: "rankScore", doc: "With WITHSCORE (Redis 7.2): the rank and the score."},
	}
}

func withScores(tok string) []variant {
	return []variant{
		{exclude: []string{tok}, result: "strings", doc: "Without WITHSCORES: the members."},
		{suffix: "WithScores", force: []string{tok}, result: "zmembers", doc: "With WITHSCORES: members and their scores."},
	}
}

// argPatch changes an argument before generation. Keys are
// "COMMAND/path" with path as in variant.
type argPatch func(a *Arg)

var (
	asDouble  argPatch = func(a *Arg) { a.Type = "double" }
	asString  argPatch = func(a *Arg) { a.Type = "string" }
	asPointer argPatch = func(a *Arg) { a.pointer = true }
	asBlock   argPatch = func(a *Arg) { a.unit = unitBlock }
	// Patterns of SORT name keys (the key prefix applies), except GET "#".
	asSortPattern argPatch = func(a *Arg) { a.encode = "sortPattern" }
)

func typeName(name string) argPatch  { return func(a *Arg) { a.typeName = name } }
func fieldName(name string) argPatch { return func(a *Arg) { a.goName = name } }

var argPatches = map[string][]argPatch{
	// The specs say integer; Redis takes any float.
	"ZINCRBY/increment":  {asDouble},
	"ZUNION/weight":      {asDouble},
	"ZINTER/weight":      {asDouble},
	"ZUNIONSTORE/weight": {asDouble},
	"ZINTERSTORE/weight": {asDouble},
	// Score ranges take "(1.5", "-inf" and "+inf": strings, as in ZRANGE.
	"ZCOUNT/min":           {asString},
	"ZCOUNT/max":           {asString},
	"ZRANGEBYSCORE/min":    {asString},
	"ZRANGEBYSCORE/max":    {asString},
	"ZREVRANGEBYSCORE/min": {asString},
	"ZREVRANGEBYSCORE/max": {asString},
	"ZREMRANGEBYSCORE/min": {asString},
	"ZREMRANGEBYSCORE/max": {asString},

	// Optional integers whose zero differs from leaving them out.
	"COPY/destination-db":        {asPointer}, // DB 0 is a database
	"XREAD/milliseconds":         {asBlock},   // BLOCK 0 blocks forever: BlockForever
	"XREADGROUP/milliseconds":    {asBlock},   // BLOCK 0 blocks forever: BlockForever
	"MEMORY USAGE/count":         {asPointer}, // SAMPLES 0 samples everything
	"SLOWLOG GET/count":          {asPointer}, // 0 returns nothing, absent returns 10
	"XCLAIM/count":               {asPointer}, // RETRYCOUNT 0 resets the counter
	"XGROUP CREATE/entries-read": {asPointer}, // ENTRIESREAD 0 is a position
	"XGROUP SETID/entriesread":   {asPointer}, // ENTRIESREAD 0 is a position
	"XSETID/entries-added":       {asPointer}, // ENTRIESADDED 0 is a count
	"XADD/trim.count":            {asPointer}, // LIMIT 0 lifts the default limit
	"XTRIM/trim.count":           {asPointer}, // LIMIT 0 lifts the default limit
	"SORT/by-pattern":            {asSortPattern},
	"SORT/get-pattern":           {asSortPattern},
	"SORT_RO/by-pattern":         {asSortPattern},
	"SORT_RO/get-pattern":        {asSortPattern},

	// Type names for blocks and oneofs (identical blocks share the first's type).
	"SORT/limit":                                            {typeName("Limit")},
	"GEORADIUS/count-block":                                 {typeName("GeoCount"), fieldName("Count")},
	"GEORADIUS_RO/count-block":                              {fieldName("Count")},
	"GEORADIUSBYMEMBER/count-block":                         {fieldName("Count")},
	"GEORADIUSBYMEMBER_RO/count-block":                      {fieldName("Count")},
	"GEOSEARCH/count-block":                                 {fieldName("Count")},
	"GEOSEARCHSTORE/count-block":                            {fieldName("Count")},
	"GEOSEARCH/from":                                        {typeName("GeoSearchFrom")},
	"GEOSEARCH/from.fromlonlat":                             {typeName("GeoLonLat")},
	"GEOSEARCH/by":                                          {typeName("GeoSearchBy")},
	"GEOSEARCH/by.circle":                                   {typeName("GeoRadius")},
	"GEOSEARCH/by.box":                                      {typeName("GeoBox")},
	"GEOSEARCHSTORE/from":                                   {typeName("GeoSearchFrom")},
	"GEOSEARCHSTORE/from.fromlonlat":                        {typeName("GeoLonLat")},
	"GEOSEARCHSTORE/by":                                     {typeName("GeoSearchBy")},
	"GEOSEARCHSTORE/by.circle":                              {typeName("GeoRadius")},
	"GEOSEARCHSTORE/by.box":                                 {typeName("GeoBox")},
	"BITPOS/range.end-unit-block":                           {typeName("BitPosEnd"), fieldName("End")},
	"BITFIELD/operation":                                    {typeName("BitFieldOp")},
	"BITFIELD/operation.get-block":                          {typeName("BitFieldGet")},
	"BITFIELD/operation.write":                              {typeName("BitFieldWrite")},
	"BITFIELD/operation.write.write-operation.set-block":    {typeName("BitFieldSet")},
	"BITFIELD/operation.write.write-operation.incrby-block": {typeName("BitFieldIncrBy")},
	"XINFO STREAM/full-block":                               {typeName("XInfoStreamFull"), fieldName("Full")},
	"MODULE LOADEX/configs":                                 {typeName("ModuleConfig")},
	"REPLICAOF/args.host-port":                              {typeName("ReplicaOfHostPort")},
	"SLAVEOF/args.host-port":                                {typeName("ReplicaOfHostPort")},
	"SLAVEOF/args":                                          {typeName("ReplicaOfArgs")},
	"ZRANGESTORE/dst":                                       {fieldName("Destination")},
	"ZRANGESTORE/src":                                       {fieldName("Source")},
	"BITFIELD_RO/get-block":                                 {fieldName("Gets")},
	"CLIENT UNBLOCK/unblock-type":                           {typeName("ClientUnblockType")},
	"SHUTDOWN/save-selector":                                {typeName("ShutdownMode"), fieldName("Mode")},
	"XADD/trim":                                             {typeName("XAddTrim")},
	"XADD/data":                                             {fieldName("FieldValues")},
	"HSET/data":                                             {fieldName("FieldValues")},
	"HMSET/data":                                            {fieldName("FieldValues")},
	"MSETNX/data":                                           {fieldName("KeyValues")},
	"ZADD/data":                                             {typeName("Z"), fieldName("Members")},
	"MSET/data":                                             {fieldName("KeyValues")},
	"GEOADD/data":                                           {typeName("GeoMember"), fieldName("Members")},
	"CONFIG SET/data":                                       {typeName("ConfigParameter"), fieldName("Parameters")},
}

// enumDef names a set of pure tokens: the Go type and its constants.
type enumDef struct {
	typ    string
	consts map[string]string // token -> constant name
	doc    string
}

// sharedEnums are token sets used by several commands, keyed by their sorted
// tokens joined by "|". Token sets not here get a type per command argument,
// named command + argument ("LInsertWhere"), with constants named command +
// token ("LInsertBefore").
var sharedEnums = map[string]enumDef{
	"LEFT|RIGHT":                         {"ListSide", map[string]string{"LEFT": "Left", "RIGHT": "Right"}, "is the end of a list an element moves from or to."},
	"MAX|MIN":                            {"ZSide", map[string]string{"MIN": "ZMin", "MAX": "ZMax"}, "is the end of a sorted set members pop from: lowest or highest scores."},
	"MAX|MIN|SUM":                        {"Aggregate", map[string]string{"SUM": "AggregateSum", "MIN": "AggregateMin", "MAX": "AggregateMax"}, "is how scores of a member found in several sorted sets combine."},
	"ASYNC|SYNC":                         {"FlushMode", map[string]string{"ASYNC": "FlushAsync", "SYNC": "FlushSync"}, "says whether a flush frees memory in the background or before replying."},
	"NX|XX":                              {"Existence", map[string]string{"NX": "NX", "XX": "XX"}, "is a condition on existence: NX only if it does not exist yet, XX only if it exists."},
	"GT|LT":                              {"Comparison", map[string]string{"GT": "GT", "LT": "LT"}, "is a condition on the new value: GT only if greater, LT only if less than the current one."},
	"GT|LT|NX|XX":                        {"ExpireCondition", map[string]string{"NX": "ExpireNX", "XX": "ExpireXX", "GT": "ExpireGT", "LT": "ExpireLT"}, "is a condition for setting an expiry: NX no expiry yet, XX an expiry already, GT/LT greater/less than the current one."},
	"ft|km|m|mi":                         {"GeoUnit", map[string]string{"m": "Meters", "km": "Kilometers", "ft": "Feet", "mi": "Miles"}, "is a unit of distance."},
	"ASC|DESC":                           {"SortOrder", map[string]string{"ASC": "Asc", "DESC": "Desc"}, "is a sort order."},
	"BIT|BYTE":                           {"BitUnit", map[string]string{"BYTE": "UnitByte", "BIT": "UnitBit"}, "says whether a range counts bytes or bits."},
	"OFF|ON":                             {"Toggle", map[string]string{"ON": "On", "OFF": "Off"}, "turns a setting on or off."},
	"NO|YES":                             {"YesNo", map[string]string{"YES": "Yes", "NO": "No"}, "is a yes or no."},
	"MAXLEN|MINID":                       {"XTrimStrategy", map[string]string{"MAXLEN": "XTrimMaxLen", "MINID": "XTrimMinID"}, "is how a stream is trimmed: to a length, or below an ID."},
	"=|~":                                {"XTrimOperator", map[string]string{"=": "XTrimExact", "~": "XTrimApprox"}, "says whether trimming is exact or approximate (faster)."},
	"BYLEX|BYSCORE":                      {"ZRangeBy", map[string]string{"BYSCORE": "ByScore", "BYLEX": "ByLex"}, "says what a sorted-set range is of: scores or lexicographic members (default: ranks)."},
	"master|normal|pubsub|replica|slave": {"ClientType", clientTypes, "is a kind of client connection."},
	"master|normal|pubsub|replica":       {"ClientType", clientTypes, "is a kind of client connection."},
	"FAIL|SAT|WRAP":                      {"BitFieldOverflow", map[string]string{"WRAP": "OverflowWrap", "SAT": "OverflowSat", "FAIL": "OverflowFail"}, "is how BITFIELD handles overflows."},
}

var clientTypes = map[string]string{"normal": "ClientNormal", "master": "ClientMaster", "slave": "ClientSlave", "replica": "ClientReplica", "pubsub": "ClientPubSub"}

func tokenSetKey(args []*Arg) string {
	toks := make([]string, len(args))
	for i, a := range args {
		toks[i] = a.Token
	}
	sort.Strings(toks)
	return strings.Join(toks, "|")
}

// externalTypes are written by hand in the fastredis package (decode.go),
// because replies decode into them too; the generator gives them only their
// writeArgs method.
var externalTypes = map[string]bool{}

// blocks reports whether a command holds its connection until it returns:
// the BLOCKING flag, and WAIT and WAITAOF, which block until replicas (or
// the AOF) catch up but carry no flag in the specs.
func blocks(c *spec.Command) bool {
	return c.HasCommandFlag("BLOCKING") || c.Name == "WAIT" || c.Name == "WAITAOF"
}

// blockingNote is added to blocking commands' documentation.
const blockingNote = "It blocks, so it runs on a dedicated connection, never stalling the shared ones; ReadTimeout does not apply, and when ctx ends the connection is freed with CLIENT UNBLOCK."
