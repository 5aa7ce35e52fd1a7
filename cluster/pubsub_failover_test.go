package cluster

// Subscribers through node failures and slot migrations.

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
)

// A subscriber moves to another node, resubscribed, when its node dies.
func TestSubscriberMovesOnFailure(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterOptions{Masters: 3, ReplicasPerMaster: 1, NodeTimeout: time.Second})
	c := newTestClient(t, rc, Options{})
	ps, err := c.Subscribe(bg, "news")
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	if _, err := c.Publish(bg, "news", "first"); err != nil {
		t.Fatal(err)
	}
	if m := <-ps.Messages(); m.Payload != "first" {
		t.Fatalf("got %+v", m)
	}
	var on *redistest.ClusterNode
	for _, n := range rc.Masters() {
		r, err := nodeClient(t, n.Addr).PubSubNumSub(bg, "news")
		if err == nil && r["news"] == 1 {
			on = n
		}
	}
	if on == nil {
		t.Fatal("no master has the subscription")
	}
	on.Kill()
	rc.WaitHealthy(t)
	deadline := time.Now().Add(20 * time.Second)
	for i := 0; ; i++ {
		if time.Now().After(deadline) {
			t.Fatal("no message reached the subscriber after its node died")
		}
		if _, err := c.Publish(bg, "news", "after-"+strconv.Itoa(i)); err != nil {
			continue
		}
		select {
		case m := <-ps.Messages():
			if !strings.HasPrefix(m.Payload, "after-") {
				t.Fatalf("got %+v", m)
			}
			return
		case <-time.After(100 * time.Millisecond): // resubscribing: publish again
		}
	}
}

// A shard subscription follows its slot through a migration and a master
// crash: after each resubscription the messages published arrive exactly
// once and in order; the messages lost in each gap are reported.
func TestShardSubscriptionFollowsSlot(t *testing.T) {
	rc := redistest.StartCluster(t, redistest.ClusterOptions{Masters: 3, ReplicasPerMaster: 1, NodeTimeout: time.Second})
	c := newTestClient(t, rc, Options{})
	const ch = "{shard}:news"
	ps, err := c.SSubscribe(bg, ch)
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	seq := 0
	// publishUntilReceived publishes numbered messages until one arrives,
	// then checks that the next 50 arrive in order, exactly once; it
	// returns how many were published before the first arrived (lost in
	// the gap).
	publishUntilReceived := func(phase string) int {
		t.Helper()
		first := seq
		deadline := time.Now().Add(30 * time.Second)
		got := -1
		for got < 0 {
			if time.Now().After(deadline) {
				t.Fatalf("%s: no message arrived", phase)
			}
			if _, err := c.SPublish(bg, ch, strconv.Itoa(seq)); err == nil {
				seq++
			}
			select {
			case m := <-ps.Messages():
				got, _ = strconv.Atoi(m.Payload)
			case <-time.After(50 * time.Millisecond): // resubscribing: publish again
			}
		}
		// Drain what came after the first arrival, then 50 more in order.
		for done := false; !done; {
			select {
			case m := <-ps.Messages():
				n, _ := strconv.Atoi(m.Payload)
				if n != got+1 {
					t.Fatalf("%s: message %d after %d", phase, n, got)
				}
				got = n
			default:
				done = true
			}
		}
		for i := 0; i < 50; i++ {
			if _, err := c.SPublish(bg, ch, strconv.Itoa(seq)); err != nil {
				t.Fatal(err)
			}
			seq++
			select {
			case m := <-ps.Messages():
				n, _ := strconv.Atoi(m.Payload)
				if n != got+1 {
					t.Fatalf("%s: message %d after %d (lost or repeated)", phase, n, got)
				}
				got = n
			case <-time.After(5 * time.Second):
				t.Fatalf("%s: message %d did not arrive", phase, seq-1)
			}
		}
		return got - first - 50 - (seq - 1 - got)
	}
	if lost := publishUntilReceived("start"); lost != 0 {
		t.Fatalf("%d messages lost before any fault", lost)
	}
	slot := Slot(ch)
	from := rc.SlotOwner(slot)
	to := otherMaster(rc, from)
	mig := rc.BeginMigration(t, slot, to)
	mig.Finish(t)
	lostMigration := publishUntilReceived("after the slot migrated")
	owner := rc.SlotOwner(slot)
	owner.Kill()
	rc.WaitHealthy(t)
	lostCrash := publishUntilReceived("after the master was killed")
	t.Logf("shard subscription: messages published while resubscribing, never received: %d after the slot migrated, %d after its master was killed; none repeated or out of order", lostMigration, lostCrash)
}
