package keyspec

import "strconv"

// RequestPolicy says which nodes of a cluster a command goes to: the
// REQUEST_POLICY command tip of the specs. See the package documentation.
type RequestPolicy uint8

// Request policies, named after the specs' REQUEST_POLICY values.
const (
	// RequestDefault: the command has no REQUEST_POLICY tip. With keys it
	// goes to the shard serving its keys' slot (all keys must share it);
	// without keys, to any one node.
	RequestDefault RequestPolicy = iota
	// RequestAllNodes (ALL_NODES): run it on every node, primaries and
	// replicas (CONFIG SET, SCRIPT LOAD, SLOWLOG GET).
	RequestAllNodes
	// RequestAllShards (ALL_SHARDS): run it on every shard's primary
	// (DBSIZE, KEYS, FLUSHALL, FUNCTION LOAD, PING).
	RequestAllShards
	// RequestMultiShard (MULTI_SHARD): the keys may span slots; split the
	// arguments by slot, keeping each key with the arguments that belong to
	// it (MSET's value), and send each part to its slot's shard (MGET, MSET,
	// DEL, EXISTS).
	RequestMultiShard
	// RequestSpecial (SPECIAL): no generic rule; the client needs code for
	// this command (SCAN: iterate over every shard in turn).
	RequestSpecial
)

var requestPolicyNames = [...]string{"", "ALL_NODES", "ALL_SHARDS", "MULTI_SHARD", "SPECIAL"}

// String returns the policy as the specs write it ("ALL_SHARDS"), or
// "DEFAULT" for RequestDefault.
func (p RequestPolicy) String() string {
	if p == RequestDefault {
		return "DEFAULT"
	}
	if int(p) < len(requestPolicyNames) {
		return requestPolicyNames[p]
	}
	return "RequestPolicy(" + strconv.Itoa(int(p)) + ")"
}

// FanOut reports whether the command goes to more than one node (ALL_NODES,
// ALL_SHARDS), whatever its arguments.
func (p RequestPolicy) FanOut() bool { return p == RequestAllNodes || p == RequestAllShards }

// ResponsePolicy says how the replies of the nodes a command went to make
// one reply: the RESPONSE_POLICY command tip of the specs. See the package
// documentation.
type ResponsePolicy uint8

// Response policies, named after the specs' RESPONSE_POLICY values.
const (
	// ResponseDefault: the command has no RESPONSE_POLICY tip. For a
	// keyless command sent to several nodes (KEYS, SLOWLOG GET), the replies
	// are arrays: concatenate them. For a MULTI_SHARD command (MGET), put the
	// parts' replies back in the order of the keys in the original command.
	// For a command sent to one node, its reply is the reply.
	ResponseDefault ResponsePolicy = iota
	// ResponseOneSucceeded (ONE_SUCCEEDED): return the first reply that is
	// not an error; an error only if every node failed (SCRIPT KILL,
	// FUNCTION KILL: one node is running the script).
	ResponseOneSucceeded
	// ResponseAllSucceeded (ALL_SUCCEEDED): return an error if any node
	// failed, else any one reply (they are all the same: OK, PONG).
	ResponseAllSucceeded
	// ResponseAggLogicalAnd (AGG_LOGICAL_AND): the replies are integers 0/1
	// or arrays of them; combine element-wise with logical AND (SCRIPT
	// EXISTS: a script exists only if every shard has it).
	ResponseAggLogicalAnd
	// ResponseAggLogicalOr (AGG_LOGICAL_OR): as AggLogicalAnd, with OR.
	ResponseAggLogicalOr
	// ResponseAggMin (AGG_MIN): the replies are integers (or arrays of
	// them); return the minimum, element-wise (WAIT, WAITAOF).
	ResponseAggMin
	// ResponseAggMax (AGG_MAX): as AggMin, the maximum.
	ResponseAggMax
	// ResponseAggSum (AGG_SUM): the replies are integers (or arrays of
	// them); return the sum, element-wise (DBSIZE, DEL, EXISTS).
	ResponseAggSum
	// ResponseSpecial (SPECIAL): no generic rule; the client needs code for
	// this command (INFO, MEMORY STATS, RANDOMKEY, SCAN), or returns the
	// replies per node.
	ResponseSpecial
)

var responsePolicyNames = [...]string{
	"", "ONE_SUCCEEDED", "ALL_SUCCEEDED", "AGG_LOGICAL_AND", "AGG_LOGICAL_OR",
	"AGG_MIN", "AGG_MAX", "AGG_SUM", "SPECIAL",
}

// String returns the policy as the specs write it ("AGG_SUM"), or "DEFAULT"
// for ResponseDefault.
func (p ResponsePolicy) String() string {
	if p == ResponseDefault {
		return "DEFAULT"
	}
	if int(p) < len(responsePolicyNames) {
		return responsePolicyNames[p]
	}
	return "ResponsePolicy(" + strconv.Itoa(int(p)) + ")"
}

// Tip is a set of the command tips that are not policies.
type Tip uint8

// Command tips, named after the specs' strings.
const (
	// TipNondeterministicOutput (NONDETERMINISTIC_OUTPUT): the reply may
	// differ between runs on the same data (RANDOMKEY, TIME, INFO).
	TipNondeterministicOutput Tip = 1 << iota
	// TipNondeterministicOutputOrder (NONDETERMINISTIC_OUTPUT_ORDER): the
	// reply is an array whose order may differ (KEYS, SMEMBERS, HGETALL);
	// merged fan-out replies need no particular order.
	TipNondeterministicOutputOrder
)

var tipNames = [...]string{"NONDETERMINISTIC_OUTPUT", "NONDETERMINISTIC_OUTPUT_ORDER"}

// String returns the tips as in the specs, joined by "|".
func (t Tip) String() string { return bitNames(uint64(t), tipNames[:]) }
