// Command methods generates a typed method on *fastredis.Client for every
// Redis command and subcommand in the Redis command specs (the JSON files of
// redis/src/commands, kept outside the repository):
//
//	go run ./internal/cmdgen/methods -specs ../shared/redis-commands -out fastredis
//
// or, from fastredis/, go generate (see fastredis/gen.go). The specs are
// loaded by package internal/cmdgen/spec, shared with internal/cmdgen. It
// writes one file per command group, fastredis/commands_<group>_gen.go, and
// an index, fastredis/commands_index_gen.go, which lists every method with
// its command and every skipped command with the reason. Output is
// deterministic and gofmt'd; TestRegenerate checks that the committed files
// are up to date.
//
// # Names
//
// A method is named after its command, Go-cased the way go-redis users know
// it: GET Get, HGETALL HGetAll, ZRANGEBYSCORE ZRangeByScore, BRPOPLPUSH
// BRPopLPush, SETNX SetNX, PEXPIREAT PExpireAt, GEORADIUS_RO GeoRadiusRO,
// XREADGROUP XReadGroup, CLIENT KILL ClientKill (container + subcommand).
// Names, tokens and argument names are cut into words from a word list
// (names.go): of the cuts, the one with the fewest pieces wins (longest
// words first on ties), a letter no word covers standing alone in upper
// case (the B of BLPOP, the Z of ZADD); TestNames fails if two such letters
// meet anywhere but at the start of a name, so a missing word is noticed. An
// override table fixes the rest (SISMEMBER SIsMember, LOLWUT Lolwut, EX EX).
// Every name is checked to be unique, a valid exported identifier, and not
// to clash with what fastredis declares by hand (read from the package's
// other files). commands_index_gen.go lists every method with its command;
// go test -v -run TestNames ./internal/cmdgen/methods prints the list.
//
// # Signatures
//
//	func (c *Client) Name(ctx context.Context, <required>, [opts ...NameOptions]) (<result>, error)
//	func (c *Client) Name(ctx context.Context, <required>, [opts *NameOptions,] variadic) (<result>, error)
//
// Required arguments are parameters, in spec order, named after the
// argument (plural for lists; "type" becomes typeArg): key string (the
// client's key prefix applies), string and pattern string, integer and
// unix-time int64, double float64, with the type rules of rules.go on top:
//
//   - values are any (value, member, element, pivot, message, arg, and the
//     range bounds of sorted-set commands): strings, []byte, numbers, bool,
//     encoded without an allocation (fastredis/args_value.go); a list of
//     them is ...any and flattens slices, maps and FieldValues;
//   - a list of (name, value) blocks (HSET's, XADD's and CONFIG SET's pairs,
//     MSET's key-value pairs) is ...any, names and values alternating;
//   - durations are time.Duration and Unix times time.Time, by the
//     argument's name and type (seconds, milliseconds, ms, timeout,
//     min-idle-time, unix-time-*), sent in the command's unit
//     (fastredis/args_time.go); a command whose seconds argument has a
//     P-command twin (EXPIRE, EXPIREAT, SETEX) sends the twin when the value
//     is not whole seconds, and a oneof with both units (SET's EX and PX,
//     EXAT and PXAT) is one field, TTL or ExpireAt, that picks the token.
//
// Tokens are written before their
// argument's value. A oneof of pure tokens is a named string type with
// constants: LINSERT's BEFORE|AFTER is LInsertWhere, with LInsertBefore and
// LInsertAfter; token sets several commands share have one type (ListSide
// Left/Right, Existence NX/XX, Comparison GT/LT, ExpireCondition, GeoUnit
// Meters/Kilometers/Feet/Miles, SortOrder, FlushMode, Aggregate, ZRangeBy
// ByScore/ByLex, XTrimStrategy, XTrimOperator, BitUnit, Toggle On/Off,
// YesNo, ClientType, BitFieldOverflow: see sharedEnums). A oneof of pure
// tokens and one string is a string (XADD's id may be "*", XGROUP CREATE's
// "$", MIGRATE's key ""). Another required oneof is a struct parameter with
// one field per alternative (GeoSearchFrom{FromMember, FromLonLat}). A
// required block is flattened into parameters (XREADGROUP's group and
// consumer, XREAD's keys and ids); a multiple block is a slice of a struct
// (ZADD's Z, GEOADD's GeoMember), except the pairs above. A required multiple
// argument is variadic when it is the last parameter (it then follows opts),
// else a slice; two lists of one block (XREAD's keys and ids) are both
// slices. A numkeys argument is no parameter: it is sent as the length of
// the key list that follows (EVAL, FCALL, ZUNIONSTORE, LMPOP, SINTERCARD).
// Blocks and oneofs become struct types with a writeArgs method; identical
// ones share a type (Limit, GeoCount), and a check fails the
// generation when identical ones got different names.
//
// Optional arguments are fields of one options struct per method (shared by
// a command's variants when their fields agree), the last parameter,
// variadic so that it can be left out (more than one is an argument error);
// where a variadic list must come last, the options are a pointer before it,
// nil meaning none. The struct is copied, so it does not escape. A field is
// named after the argument's token when it has one (EX, Count, Match,
// WithScores), else after the argument, and its comment quotes the spec's
// argument name and syntax. An optional pure token is a bool. An optional
// value is sent when it is not the zero value ("" or 0), where the server
// rejects zero or treats it like absence (SET's TTL, LPOS's RANK and MAXLEN,
// SCAN's COUNT); where zero means something else it is a pointer (COPY's
// DB, MEMORY USAGE's SAMPLES, SLOWLOG GET's
// count, XCLAIM's RETRYCOUNT, XADD's and XTRIM's LIMIT, ENTRIESREAD,
// ENTRIESADDED: see argPatches; XREAD's BLOCK is a time.Duration with
// BlockForever for BLOCK 0). An optional enum is sent when not "". An
// optional block is a pointer to its struct (ZRANGE's LIMIT: *Limit). An
// optional oneof is flattened: one field per alternative, at most one set
// (SET's TTL, ExpireAt, KeepTTL), its token sent when any is. Optional
// multiple arguments are slices. The last argument, when optional and
// multiple without a token written once, is a variadic parameter instead,
// empty meaning absent (GEOHASH's members, EVAL's args, BITFIELD's
// operations). A few argument types are corrected where Redis accepts more
// than the spec says (ZINCRBY's increment and WEIGHTS are float64; score
// ranges of ZCOUNT, ZRANGEBYSCORE and the like are strings, for "(1" and
// "-inf"); SORT's BY and GET patterns take the key prefix, except "#".
//
// # Results
//
// The result type comes from the reply schema (result.go; resultKinds is the
// table): "OK" is an error only; integer, and 0/1 answers, int64; number
// float64; string string, with a NameAppend form that appends to a caller's
// []byte and allocates nothing (not for status-like strings: constants and
// patterns, such as BGSAVE's or XADD's ID); arrays of strings []string, of
// strings or nulls []NullString, of integers []int64, of integers or nulls
// []NullInt64, of numbers or nulls []NullFloat; objects of strings
// map[string]string; anything else, and alternatives of different shapes,
// the whole Reply. A null reply is the Nil error. Where an option changes
// the reply's shape, the command gets one method per shape (see variants):
// Set (a null, from NX or XX, is Nil) and SetGet, LPop and LPopCount (also
// RPOP, SPOP, SRANDMEMBER), HRandField, HRandFieldCount and
// HRandFieldWithValues (also ZRANDMEMBER), LPos and LPosCount, ZRange and
// ZRangeWithScores (also ZRANGEBYSCORE, ZREVRANGE, ZREVRANGEBYSCORE, ZUNION,
// ZINTER, ZDIFF), ZRank and ZRankWithScore, ZAdd and ZAddIncr, LCS, LCSLen
// and LCSIdx, Sort and SortStore, GeoSearch and GeoSearchLocation, XClaim
// and XClaimJustID, XPending and XPendingExt, ClientList and
// ClientListParsed, ClientInfo and ClientInfoParsed; ZPOPMIN and ZPOPMAX take
// a required count, so they have one shape. Some replies decode into small
// structs written by hand in fastredis/decode.go (XMessage, XStream,
// ZMember, FieldValue, ScanResult, GeoLocation, GeoPos, KeyElements,
// KeyZMembers, KeyZMember, RankScore, XPendingSummary, XPendingEntry,
// ClientInfo, time.Time for TIME, map[string]int64 for PUBSUB NUMSUB); each
// decoder copies every string of the reply into one allocation and cuts
// nested slices from one backing array, so it allocates only what it
// returns, a few times whatever the reply's size. Replies those cannot
// hold (EVAL, FCALL, XINFO, XAUTOCLAIM, ROLE, COMMAND INFO and DOCS, CLUSTER
// SLOTS and SHARDS, SLOWLOG GET, LCS IDX, the deprecated GEORADIUS family,
// ...) are a Reply.
//
// # What is skipped
//
// Commands that cannot run on a shared pipelined connection (SUBSCRIBE and
// the rest of subscriber mode, MONITOR, SYNC, PSYNC, QUIT, RESET, MULTI,
// EXEC, DISCARD, WATCH, UNWATCH, CLIENT REPLY, HELLO, AUTH, SELECT), cluster
// connection state (ASKING, READONLY, READWRITE), container commands (ACL,
// CLIENT, ... themselves), the sentinel group, CLUSTER subcommands other
// than KEYSLOT, INFO, NODES, SLOTS, SHARDS, MYID, COUNTKEYSINSLOT and
// GETKEYSINSLOT, and internal commands (doc flag SYSCMD: DEBUG, PFDEBUG,
// PFSELFTEST, REPLCONF, RESTORE-ASKING). Of legacy forms, only the CLIENT
// KILL ip:port form is left out (its reply differs; ClientKillFilter.Addr
// does the same). Blocking commands (command flag BLOCKING) are generated and
// documented as blocking the shared connection.
//
// # Documentation
//
// Each method's comment has the spec's summary, what the variant is, the
// command's syntax, since and complexity, notes on parameters (numkeys,
// token values), the reply's alternatives as the schema describes them,
// and a Deprecated: paragraph with the replacement for deprecated commands.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"

	"github.com/fastredis/fastredis/internal/cmdgen/spec"
)

func main() {
	specs := flag.String("specs", "../shared/redis-commands", "directory of the Redis command specs (*.json)")
	out := flag.String("out", "fastredis", "directory of the fastredis package")
	flag.Parse()
	if err := run(*specs, *out); err != nil {
		fmt.Fprintln(os.Stderr, "methods:", err)
		os.Exit(1)
	}
}

func run(specs, out string) error {
	files, err := generateFiles(specs, out)
	if err != nil {
		return err
	}
	// Remove generated group files that are no longer produced.
	old, _ := filepath.Glob(filepath.Join(out, "*_gen.go"))
	for _, f := range old {
		if _, ok := files[filepath.Base(f)]; !ok {
			if err := os.Remove(f); err != nil {
				return err
			}
		}
	}
	for _, name := range sortedKeys(files) {
		path := filepath.Join(out, name)
		if cur, err := os.ReadFile(path); err == nil && bytes.Equal(cur, files[name]) {
			continue
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// generateFiles loads the specs and renders the files for the package in
// dir (whose hand-written declarations the generated ones must not clash
// with).
func generateFiles(specs, dir string) (map[string][]byte, error) {
	if err := checkKinds(); err != nil {
		return nil, err
	}
	cmds, err := spec.LoadDir(specs)
	if err != nil {
		return nil, err
	}
	g := newGenerator()
	if err := g.readPackage(dir); err != nil {
		return nil, err
	}
	g.generate(cmds)
	if len(g.errs) > 0 {
		return nil, fmt.Errorf("%d problems:\n%s", len(g.errs), strings.Join(g.errs, "\n"))
	}
	return g.files()
}

// readPackage records the identifiers and *Client methods declared by hand
// in dir (files not ending in _gen.go or _test.go).
func (g *generator) readPackage(dir string) error {
	fset := token.NewFileSet()
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return err
	}
	for _, p := range paths {
		if strings.HasSuffix(p, "_gen.go") || strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					g.idents[d.Name.Name] = "hand-written " + filepath.Base(p)
					continue
				}
				t := d.Recv.List[0].Type
				if s, ok := t.(*ast.StarExpr); ok {
					t = s.X
				}
				if id, ok := t.(*ast.Ident); ok && (id.Name == "Client" || id.Name == "Pipeline") {
					g.existingMethods[d.Name.Name] = true
				}
				if id, ok := t.(*ast.Ident); ok && id.Name == "SentinelClient" {
					g.existingMethods["SentinelClient."+d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if !externalTypes[s.Name.Name] {
							g.idents[s.Name.Name] = "hand-written " + filepath.Base(p)
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							g.idents[n.Name] = "hand-written " + filepath.Base(p)
						}
					}
				}
			}
		}
	}
	return nil
}
