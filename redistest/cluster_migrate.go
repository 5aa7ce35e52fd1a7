package redistest

import (
	"context"
	"fmt"
	"strconv"
	"testing"
)

// migrateTimeout is the MIGRATE timeout, in milliseconds.
const migrateTimeout = "5000"

// migrateBatch is how many keys one MIGRATE moves at most.
const migrateBatch = 100

// Migration is a slot being moved from one master to another, in the steps
// Redis Cluster resharding takes, so a test can stop half-way and see what
// clients see then: ASK redirections for keys already moved, TRYAGAIN for
// multi-key commands whose keys are split between the two nodes. Start one
// with Cluster.BeginMigration.
type Migration struct {
	// Slot is the slot being moved.
	Slot int
	// From is the master that served the slot when the migration began.
	From *ClusterNode
	// To is the master the slot moves to.
	To *ClusterNode

	c *Cluster
}

// BeginMigration starts moving slot from its current master to the master
// to: CLUSTER SETSLOT IMPORTING on to, then MIGRATING on the current owner.
// No key moves yet; from now on the owner answers -ASK for keys of the slot
// it does not have. Move keys with MoveKeys and end with Finish. It fails
// the test if to is not a master or already serves the slot.
func (c *Cluster) BeginMigration(t testing.TB, slot int, to *ClusterNode) *Migration {
	t.Helper()
	m, err := c.beginMigration(context.Background(), slot, to)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (c *Cluster) beginMigration(ctx context.Context, slot int, to *ClusterNode) (*Migration, error) {
	if slot < 0 || slot >= ClusterSlots {
		return nil, fmt.Errorf("redistest: migrating slot %d: no such slot", slot)
	}
	if to == nil || to.cluster != c {
		return nil, fmt.Errorf("redistest: migrating slot %d: the target is not a node of this cluster", slot)
	}
	v, err := to.view(ctx)
	if err != nil {
		return nil, fmt.Errorf("redistest: migrating slot %d: %w", slot, err)
	}
	from := c.nodeByID(v.owner(slot))
	switch {
	case from == nil:
		return nil, fmt.Errorf("redistest: migrating slot %d: %s knows no master for it", slot, to.Addr)
	case from == to:
		return nil, fmt.Errorf("redistest: migrating slot %d: %s serves it already", slot, to.Addr)
	case to.Role() != "master":
		return nil, fmt.Errorf("redistest: migrating slot %d: %s is not a master", slot, to.Addr)
	}
	s := strconv.Itoa(slot)
	if err := to.ok(ctx, "CLUSTER", "SETSLOT", s, "IMPORTING", from.id); err != nil {
		return nil, fmt.Errorf("redistest: migrating slot %d: %w", slot, err)
	}
	if err := from.ok(ctx, "CLUSTER", "SETSLOT", s, "MIGRATING", to.id); err != nil {
		return nil, fmt.Errorf("redistest: migrating slot %d: %w", slot, err)
	}
	return &Migration{Slot: slot, From: from, To: to, c: c}, nil
}

// MoveKeys moves up to n keys of the slot from From to To (all of them when
// n <= 0), with CLUSTER GETKEYSINSLOT and MIGRATE ... KEYS, and returns how
// many it moved.
func (m *Migration) MoveKeys(t testing.TB, n int) int {
	t.Helper()
	moved, err := m.moveKeys(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	return moved
}

func (m *Migration) moveKeys(ctx context.Context, n int) (int, error) {
	moved := 0
	for n <= 0 || moved < n {
		batch := migrateBatch
		if n > 0 {
			batch = min(batch, n-moved)
		}
		v, err := m.From.do(ctx, "CLUSTER", "GETKEYSINSLOT", strconv.Itoa(m.Slot), strconv.Itoa(batch))
		if err != nil {
			return moved, fmt.Errorf("redistest: migrating slot %d: CLUSTER GETKEYSINSLOT on %s: %w", m.Slot, m.From.Addr, err)
		}
		keys, _ := v.([]any)
		if len(keys) == 0 {
			break
		}
		// The target port is the one the nodes talk to each other on: with
		// tls-cluster, MIGRATE connects with TLS.
		args := []string{"MIGRATE", "127.0.0.1", strconv.Itoa(m.To.clientPort()), "", "0", migrateTimeout}
		if pw := m.c.opts.Password; pw != "" {
			args = append(args, "AUTH", pw)
		}
		args = append(args, "KEYS")
		for _, k := range keys {
			s, _ := k.(string)
			args = append(args, s)
		}
		if _, err := m.From.do(ctx, args...); err != nil {
			return moved, fmt.Errorf("redistest: migrating slot %d: MIGRATE from %s to %s: %w", m.Slot, m.From.Addr, m.To.Addr, err)
		}
		moved += len(keys)
	}
	return moved, nil
}

// Finish moves the keys left, assigns the slot to To on every master
// (CLUSTER SETSLOT NODE; To first, then From, then the others) and waits
// until every node agrees that To serves it and the cluster is healthy.
// From then on From answers -MOVED for the slot.
func (m *Migration) Finish(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), clusterReadyTimeout)
	defer cancel()
	if err := m.finish(ctx); err != nil {
		t.Fatal(err)
	}
}

func (m *Migration) finish(ctx context.Context) error {
	if _, err := m.moveKeys(ctx, 0); err != nil {
		return err
	}
	s := strconv.Itoa(m.Slot)
	order := []*ClusterNode{m.To, m.From}
	for _, n := range m.c.nodes {
		if n != m.To && n != m.From && n.running() && n.Role() == "master" {
			order = append(order, n)
		}
	}
	for _, n := range order {
		if err := n.ok(ctx, "CLUSTER", "SETSLOT", s, "NODE", m.To.id); err != nil {
			return fmt.Errorf("redistest: migrating slot %d: %w", m.Slot, err)
		}
	}
	err := m.c.poll(ctx, fmt.Sprintf("every node to agree that %s serves slot %d", m.To.Addr, m.Slot), func(ctx context.Context) error {
		if err := m.c.health(ctx); err != nil {
			return err
		}
		v, err := m.To.view(ctx)
		if err != nil {
			return err
		}
		if owner := v.owner(m.Slot); owner != m.To.id {
			return fmt.Errorf("slot %d is on %s", m.Slot, m.c.describe(owner))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("redistest: migrating slot %d: %w%s", m.Slot, err, m.c.logs())
	}
	return nil
}

// MigrateSlot moves slot, with its keys, to the master to and waits until
// every node agrees: BeginMigration, then Finish.
func (c *Cluster) MigrateSlot(t testing.TB, slot int, to *ClusterNode) {
	t.Helper()
	c.BeginMigration(t, slot, to).Finish(t)
}
