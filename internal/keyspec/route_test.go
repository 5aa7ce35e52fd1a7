package keyspec

import (
	"errors"
	"testing"
)

// TestRoute checks the routing data of well-known commands against what the
// Redis 7.2 specs say (their command_tips and READONLY flag).
func TestRoute(t *testing.T) {
	const (
		def  = RequestDefault
		none = ResponseDefault
	)
	for _, tc := range []struct {
		argv     string
		request  RequestPolicy
		response ResponsePolicy
		readOnly bool
		keyless  bool
	}{
		{"GET k", def, none, true, false},
		{"set k v", def, none, false, false},
		{"XREAD STREAMS s 0", def, none, true, false},
		{"XREADGROUP GROUP g c STREAMS s >", def, none, false, false},
		{"EVAL s 0", def, none, false, false},
		{"MGET a b", RequestMultiShard, none, true, false}, // merged in key order
		{"MSET a 1 b 2", RequestMultiShard, ResponseAllSucceeded, false, false},
		{"MSETNX a 1 b 2", def, none, false, false}, // atomic: one slot only
		{"DEL a b", RequestMultiShard, ResponseAggSum, false, false},
		{"EXISTS a b", RequestMultiShard, ResponseAggSum, true, false},
		{"UNLINK a b", RequestMultiShard, ResponseAggSum, false, false},
		{"TOUCH a b", RequestMultiShard, ResponseAggSum, true, false},
		{"KEYS *", RequestAllShards, none, true, true}, // arrays concatenated
		{"DBSIZE", RequestAllShards, ResponseAggSum, true, true},
		{"FLUSHALL", RequestAllShards, ResponseAllSucceeded, false, true},
		{"FLUSHDB ASYNC", RequestAllShards, ResponseAllSucceeded, false, true},
		{"RANDOMKEY", RequestAllShards, ResponseSpecial, true, true},
		{"SCAN 0", RequestSpecial, ResponseSpecial, true, true},
		{"PING", RequestAllShards, ResponseAllSucceeded, false, true},
		{"INFO", RequestAllShards, ResponseSpecial, false, true},
		{"WAIT 1 0", RequestAllShards, ResponseAggMin, false, true},
		{"FUNCTION LOAD code", RequestAllShards, ResponseAllSucceeded, false, true},
		{"function kill", RequestAllShards, ResponseOneSucceeded, false, true},
		{"SCRIPT LOAD s", RequestAllNodes, ResponseAllSucceeded, false, true},
		{"SCRIPT FLUSH", RequestAllNodes, ResponseAllSucceeded, false, true},
		{"SCRIPT EXISTS sha", RequestAllShards, ResponseAggLogicalAnd, false, true},
		{"SCRIPT KILL", RequestAllShards, ResponseOneSucceeded, false, true},
		{"CONFIG SET a b", RequestAllNodes, ResponseAllSucceeded, false, true},
		{"CONFIG GET a", def, none, false, true},
		{"SLOWLOG GET", RequestAllNodes, none, false, true},
		{"SLOWLOG LEN", RequestAllNodes, ResponseAggSum, false, true},
		{"CLIENT SETNAME n", RequestAllNodes, ResponseAllSucceeded, false, true},
		{"client id", def, none, false, true},
		{"CLIENT KILL ID 1", def, none, false, true},
		{"PUBLISH ch m", def, none, false, true},
		{"SPUBLISH ch m", def, none, false, false}, // the shard channel is hashed
		{"CLIENT", def, none, false, true},         // a container alone
	} {
		argv := args(tc.argv)
		want := RouteInfo{Request: tc.request, Response: tc.response, ReadOnly: tc.readOnly, Keyless: tc.keyless}
		got, err := Route(argv)
		if err != nil || got != want {
			t.Errorf("Route(%q) = %+v, %v; want %+v", tc.argv, got, err, want)
		}
		bargv := make([][]byte, len(argv))
		for i, a := range argv {
			bargv[i] = []byte(a)
		}
		if got, err := Route(bargv); err != nil || got != want {
			t.Errorf("Route(%q as bytes) = %+v, %v; want %+v", tc.argv, got, err, want)
		}
		sub := ""
		if len(argv) > 1 {
			if c, _ := LookupCommand(argv[0], ""); c.HasSubcommands {
				sub = argv[1]
			}
		}
		if c, ok := LookupCommand(argv[0], sub); !ok || c.Route() != want {
			t.Errorf("LookupCommand(%q, %q) = %v, %t; want route %+v", argv[0], sub, c, ok, want)
		}
	}
}

func TestRouteErrors(t *testing.T) {
	for _, argv := range [][]string{nil, {}, {"NOSUCH"}, {"CLIENT", "NOSUCH"}, {""}, {"GET\x00"}, {string(make([]byte, 100))}} {
		if got, err := Route(argv); !errors.Is(err, ErrUnknownCommand) || got != (RouteInfo{}) {
			t.Errorf("Route(%q) = %+v, %v; want ErrUnknownCommand", argv, got, err)
		}
	}
	for _, tc := range [][2]string{
		{"NOSUCH", ""}, {"", ""}, {"CLIENT", "NOSUCH"}, {"GET", "KEY"}, {"CLIENT", "KILL X"},
		{string(make([]byte, 100)), ""}, {"CLIENT", string(make([]byte, 100))},
	} {
		if c, ok := LookupCommand(tc[0], tc[1]); ok || c != nil {
			t.Errorf("LookupCommand(%q, %q) = %v, %t; want nil, false", tc[0], tc[1], c, ok)
		}
	}
	if c, ok := LookupCommand("client", "kill"); !ok || c.Name != "CLIENT KILL" {
		t.Errorf("LookupCommand(client, kill) = %v, %t", c, ok)
	}
}

// TestRouteInvariants checks what a cluster client relies on across the
// whole table: fan-out commands have no keys (so no slot competes with the
// policy) and MULTI_SHARD commands have keys to split by.
func TestRouteInvariants(t *testing.T) {
	var fanOut, multi int
	for c := range All() {
		r := c.Route()
		switch {
		case r.Request.FanOut():
			fanOut++
			if !r.Keyless {
				t.Errorf("%s: %s with keys", c.Name, r.Request)
			}
		case r.Request == RequestMultiShard:
			multi++
			if r.Keyless || !c.HasKeys() {
				t.Errorf("%s: MULTI_SHARD without keys", c.Name)
			}
		}
		if c.HasSubcommands && (r.Request != RequestDefault || r.Response != ResponseDefault) {
			t.Errorf("%s: a container with a policy", c.Name)
		}
	}
	// The 7.2 specs: 19 ALL_NODES + 21 ALL_SHARDS, 6 MULTI_SHARD.
	if fanOut != 40 || multi != 6 {
		t.Errorf("%d fan-out and %d MULTI_SHARD commands, want 40 and 6", fanOut, multi)
	}
}

func TestPolicyStrings(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{RequestDefault.String(), "DEFAULT"},
		{RequestAllNodes.String(), "ALL_NODES"},
		{RequestSpecial.String(), "SPECIAL"},
		{RequestPolicy(99).String(), "RequestPolicy(99)"},
		{ResponseDefault.String(), "DEFAULT"},
		{ResponseAggLogicalAnd.String(), "AGG_LOGICAL_AND"},
		{ResponseSpecial.String(), "SPECIAL"},
		{ResponsePolicy(99).String(), "ResponsePolicy(99)"},
		{(TipNondeterministicOutput | TipNondeterministicOutputOrder).String(), "NONDETERMINISTIC_OUTPUT|NONDETERMINISTIC_OUTPUT_ORDER"},
		{Tip(0).String(), ""},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	if c, _ := LookupCommand("KEYS", ""); c.Tips != TipNondeterministicOutputOrder {
		t.Errorf("KEYS tips %v", c.Tips)
	}
}

func TestRouteZeroAllocs(t *testing.T) {
	argv := []string{"script", "exists", "sha"}
	bargv := [][]byte{[]byte("mget"), []byte("a"), []byte("b")}
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = Route(argv)
		_, _ = Route(bargv)
		_, _ = Route([]string{"NOSUCH"})
		_, _ = LookupCommand("Script", "Exists")
		_, _ = LookupCommand("get", "")
		_, _ = LookupCommand("nosuch", "")
	})
	if allocs != 0 {
		t.Errorf("%v allocs per run, want 0", allocs)
	}
}

func BenchmarkRoute(b *testing.B) {
	for name, argv := range map[string][]string{
		"GET":          {"get", "key:1"},
		"MGET":         {"MGET", "a", "b", "c"},
		"SCRIPTEXISTS": {"SCRIPT", "EXISTS", "sha"},
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = Route(argv)
			}
		})
	}
}

func BenchmarkLookupCommand(b *testing.B) {
	b.Run("GET", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = LookupCommand("GET", "")
		}
	})
	b.Run("CLIENT_KILL", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = LookupCommand("CLIENT", "KILL")
		}
	})
}
