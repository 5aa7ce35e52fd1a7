// Package spec is the data model of the Redis command specs and their
// loader, shared by the generators under internal/cmdgen.
//
// The specs are the JSON files of the Redis source tree (src/commands), kept
// outside this repository in ../shared/redis-commands. Each file holds one
// JSON object keyed by command name; a subcommand's entry names its
// container ("KILL" with container "CLIENT" is CLIENT KILL). LoadDir reads a
// directory of them into Commands sorted by full name.
//
// Loading is strict about the parts of a spec that code is generated from:
// a command needs a non-zero arity and a printable ASCII name, a subcommand
// an existing container, a full name must be unique, a key spec must use
// only the fields and begin_search and find_keys types modelled here, and an
// argument must have a known type. Such a spec stops LoadDir with an error
// naming the file and the command, so a spec update that needs new code
// cannot slip through silently. Fields no generator uses (acl_categories,
// history, ...) are ignored. Whether the values are ones a generator can
// handle (a command flag it knows, a command tip it knows, a usable key spec
// step) is for that generator to check.
package spec

import "strings"

// Command is one command or subcommand of the specs.
type Command struct {
	Name      string // the spec's key, upper case: "GET", or "KILL" for CLIENT KILL
	Container string // a subcommand's container command: "CLIENT"; "" for a command

	Summary         string
	Complexity      string
	Group           string // "string", "generic", "sorted_set", ...
	Since           string // the Redis version that added it: "1.0.0"
	DeprecatedSince string // the Redis version that deprecated it, or ""
	ReplacedBy      string // what replaces a deprecated command, as the spec writes it

	// Arity is the number of arguments including the command name (and the
	// subcommand name); negative -N means at least N. Never 0.
	Arity        int
	CommandFlags []string // command_flags, in the spec's order: "READONLY", "FAST", ...
	DocFlags     []string // doc_flags: "DEPRECATED", "SYSCMD"
	// CommandTips are the spec's command_tips, in its order:
	// "NONDETERMINISTIC_OUTPUT", "REQUEST_POLICY:ALL_SHARDS",
	// "RESPONSE_POLICY:AGG_SUM", ... (see RequestPolicy and ResponsePolicy).
	CommandTips     []string
	GetKeysFunction string // the C function Redis finds keys with, if the key specs do not suffice
	KeySpecs        []KeySpec
	Arguments       []*Argument
	ReplySchema     any // the decoded JSON schema of the reply; nil when the spec has none

	// HasSubcommands is set when some other command names this one as its
	// container (CLIENT, OBJECT, ...).
	HasSubcommands bool

	File string // the spec file's base name, for messages
}

// FullName is the command as it is typed: "GET", "CLIENT KILL".
func (c *Command) FullName() string {
	if c.Container != "" {
		return c.Container + " " + c.Name
	}
	return c.Name
}

// HasCommandFlag reports whether command_flags holds flag.
func (c *Command) HasCommandFlag(flag string) bool {
	return contains(c.CommandFlags, flag)
}

// HasDocFlag reports whether doc_flags holds flag.
func (c *Command) HasDocFlag(flag string) bool {
	return contains(c.DocFlags, flag)
}

// RequestPolicy is the value of the command's REQUEST_POLICY tip
// ("ALL_SHARDS" for "REQUEST_POLICY:ALL_SHARDS"), or "" if it has none.
func (c *Command) RequestPolicy() string { return c.tipValue("REQUEST_POLICY:") }

// ResponsePolicy is the value of the command's RESPONSE_POLICY tip
// ("AGG_SUM" for "RESPONSE_POLICY:AGG_SUM"), or "" if it has none.
func (c *Command) ResponsePolicy() string { return c.tipValue("RESPONSE_POLICY:") }

// tipValue returns what follows prefix in the first tip that starts with it.
func (c *Command) tipValue(prefix string) string {
	for _, t := range c.CommandTips {
		if v, ok := strings.CutPrefix(t, prefix); ok {
			return v
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// KeySpec is one entry of a command's key_specs: where its keys are among
// the arguments. Redis reports keys in the order of the key specs.
type KeySpec struct {
	Notes       string
	Flags       []string // "RO", "RW", "ACCESS", ..., in the spec's order
	BeginSearch BeginSearch
	FindKeys    FindKeys
}

// Begin search types: how a key spec finds the first key.
const (
	BeginIndex   = "index"   // at a fixed argument index (Pos)
	BeginKeyword = "keyword" // after a keyword (Keyword, searched from StartFrom)
	BeginUnknown = "unknown" // no rule: Redis uses GetKeysFunction
)

// BeginSearch is a key spec's begin_search.
type BeginSearch struct {
	Type string // BeginIndex, BeginKeyword or BeginUnknown

	Pos int // BeginIndex: the argument index of the first key (1 is the first argument)

	Keyword   string // BeginKeyword: the keyword the keys follow
	StartFrom int    // BeginKeyword: where the search starts; negative counts from the end
}

// Find keys types: how a key spec finds the keys after the first.
const (
	FindRange   = "range"   // a range of arguments (LastKey, Step, Limit)
	FindKeynum  = "keynum"  // an argument gives the number of keys (KeyNumIdx, FirstKey, Step)
	FindUnknown = "unknown" // no rule: Redis uses GetKeysFunction
)

// FindKeys is a key spec's find_keys. Indexes are relative to the first
// key BeginSearch finds.
type FindKeys struct {
	Type string // FindRange, FindKeynum or FindUnknown

	LastKey int // FindRange: index of the last key; negative counts from the end
	Limit   int // FindRange: with LastKey -1, search only 1/Limit of the rest; 0 or 1 for all of it

	KeyNumIdx int // FindKeynum: index of the argument holding the number of keys
	FirstKey  int // FindKeynum: index of the first key

	Step int // FindRange and FindKeynum: the distance between keys
}

// Argument is one argument of a command, or of a block or oneof argument.
type Argument struct {
	Name string
	// Type is one of key, string, pattern, integer, double, unix-time,
	// pure-token (a token alone), oneof (one of Arguments) or block (all of
	// Arguments, in order).
	Type            string
	Token           string // written before the value; for a pure-token, the token itself (never "")
	Optional        bool
	Multiple        bool   // the argument may repeat
	MultipleToken   bool   // when it repeats, the token is written before every value
	Display         string // the name to show in a syntax, if not Name
	Since           string
	DeprecatedSince string
	Arguments       []*Argument // of a oneof or block; never empty for them
}
