package fastredis

import (
	"strings"
	"testing"

	"github.com/fastredis/fastredis/redistest"
)

// TestGroupCluster runs the CLUSTER subcommands generated so far on a
// one-node cluster without slots, and checks that a standalone server
// refuses them.
func TestGroupCluster(t *testing.T) {
	eachProtocol(t, redistest.Options{Config: []string{"cluster-enabled yes", "cluster-config-file nodes.conf"}}, func(t *testing.T, c *Client) {
		eq(t, "CLUSTER KEYSLOT", int64(12182))(c.ClusterKeySlot(bg, "foo"))
		eq(t, "CLUSTER KEYSLOT hash tag", int64(5061))(c.ClusterKeySlot(bg, "{bar}\r\n\x00"))
		id := val[string](t, "CLUSTER MYID")(c.ClusterMyID(bg))
		if len(id) != 40 {
			t.Errorf("CLUSTER MYID = %q", id)
		}
		eq(t, "CLUSTER MYID append", []byte(id))(c.ClusterMyIDAppend(bg, nil))
		if info := val[string](t, "CLUSTER INFO")(c.ClusterInfo(bg)); !strings.Contains(info, "cluster_state:") {
			t.Errorf("CLUSTER INFO = %q", info)
		}
		if nodes := val[string](t, "CLUSTER NODES")(c.ClusterNodes(bg)); !strings.HasPrefix(nodes, id+" ") || !strings.Contains(nodes, "myself") {
			t.Errorf("CLUSTER NODES = %q", nodes)
		}
		if r := val[Reply](t, "CLUSTER SLOTS")(c.ClusterSlots(bg)); len(r.Elems) != 0 {
			t.Errorf("CLUSTER SLOTS without slots = %+v", r)
		}
		if r := val[Reply](t, "CLUSTER SHARDS")(c.ClusterShards(bg)); len(r.Elems) != 1 {
			t.Errorf("CLUSTER SHARDS = %+v", r)
		}
		eq(t, "CLUSTER COUNTKEYSINSLOT", int64(0))(c.ClusterCountKeysInSlot(bg, 12182))
		eq(t, "CLUSTER GETKEYSINSLOT", []string{})(c.ClusterGetKeysInSlot(bg, 12182, 10))
		isErr[int64](t, "CLUSTER COUNTKEYSINSLOT out of range", "ERR")(c.ClusterCountKeysInSlot(bg, 16384))
	})
	srv := redistest.Start(t, redistest.Options{})
	c := newTestClient(t, Options{Addr: srv.Addr})
	isErr[string](t, "CLUSTER INFO standalone", "ERR")(c.ClusterInfo(bg))
}
