package fastredis

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
)

// rawSubscriber sends a subscribe command on a plain connection and waits
// for its confirmation (pub/sub is not part of the generated methods).
func rawSubscriber(t *testing.T, addr, command string, names ...string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Write([]byte(command + " " + strings.Join(names, " ") + "\r\n")); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(conn)
	for confirmed := 0; confirmed < len(names); {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(line, ":") {
			confirmed++
		}
	}
}

func TestGroupPubSub(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	for _, proto := range []int{2, 3} {
		c := newTestClient(t, Options{Addr: srv.Addr, Protocol: proto})
		t.Run("RESP"+string(rune('0'+proto)), func(t *testing.T) {
			eq(t, "PUBLISH without subscribers", int64(0))(c.Publish(bg, "nobody", "x"))
			eq(t, "PUBSUB CHANNELS none", []string{})(c.PubSubChannels(bg))
			eq(t, "PUBSUB NUMSUB", map[string]int64{"news": 0})(c.PubSubNumSub(bg, "news"))
			eq(t, "PUBSUB NUMSUB no channels", map[string]int64{})(c.PubSubNumSub(bg))
			eq(t, "PUBSUB NUMPAT", int64(0))(c.PubSubNumPat(bg))

			sub := t.Name()
			rawSubscriber(t, srv.Addr, "SUBSCRIBE", "news:"+sub, "sport:"+sub)
			rawSubscriber(t, srv.Addr, "SUBSCRIBE", "news:"+sub)
			rawSubscriber(t, srv.Addr, "PSUBSCRIBE", "n*")
			eq(t, "PUBLISH", int64(3))(c.Publish(bg, "news:"+sub, "hello\r\n\x00")) // two subscribers and a pattern
			eq(t, "PUBSUB CHANNELS", []string{"news:" + sub, "sport:" + sub})(sorted(c.PubSubChannels(bg)))
			eq(t, "PUBSUB CHANNELS pattern", []string{"news:" + sub})(c.PubSubChannels(bg, PubSubChannelsOptions{Pattern: "news:*"}))
			eq(t, "PUBSUB NUMSUB", map[string]int64{"news:" + sub: 2, "sport:" + sub: 1, "none": 0})(c.PubSubNumSub(bg, "news:"+sub, "sport:"+sub, "none"))
			eq(t, "PUBSUB NUMPAT", int64(1))(c.PubSubNumPat(bg))

			eq(t, "SPUBLISH without subscribers", int64(0))(c.SPublish(bg, "shard", "x"))
			rawSubscriber(t, srv.Addr, "SSUBSCRIBE", "shard:"+sub)
			eq(t, "SPUBLISH", int64(1))(c.SPublish(bg, "shard:"+sub, "x"))
			eq(t, "PUBSUB SHARDCHANNELS", []string{"shard:" + sub})(c.PubSubShardChannels(bg, PubSubShardChannelsOptions{Pattern: "shard:*"}))
			eq(t, "PUBSUB SHARDNUMSUB", map[string]int64{"shard:" + sub: 1})(c.PubSubShardNumSub(bg, "shard:"+sub))
			if h := val[[]string](t, "PUBSUB HELP")(c.PubSubHelp(bg)); len(h) == 0 {
				t.Error("PUBSUB HELP is empty")
			}
		})
		// The raw subscribers close with the subtest; wait until the server
		// has noticed, so the next protocol starts from nothing.
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if n, err := c.PubSubNumPat(bg); err == nil && n == 0 {
				if ch, err := c.PubSubChannels(bg); err == nil && len(ch) == 0 {
					break
				}
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}
