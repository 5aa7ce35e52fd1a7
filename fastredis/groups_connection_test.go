package fastredis

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fastredis/fastredis/redistest"
)

func TestGroupConnection(t *testing.T) {
	eachProtocol(t, redistest.Options{}, func(t *testing.T, c *Client) {
		t.Run("PING ECHO", func(t *testing.T) {
			eq(t, "PING", "PONG")(c.Ping(bg))
			eq(t, "PING message", "hi\r\n\x00")(c.Ping(bg, PingOptions{Message: "hi\r\n\x00"}))
			eq(t, "PING append", []byte("PONG"))(c.PingAppend(bg, nil))
			for _, v := range awkward {
				eq(t, "ECHO", v)(c.Echo(bg, v))
			}
			eq(t, "ECHO append", []byte("a:b"))(c.EchoAppend(bg, []byte("a:"), "b"))
		})
		t.Run("CLIENT", func(t *testing.T) {
			// Connection state: a client of one connection.
			o := c.Options()
			o.PoolSize, o.ClientName = 1, "worker-1"
			one := newTestClient(t, o)
			eq(t, "CLIENT GETNAME", "worker-1")(one.ClientGetName(bg))
			noErr(t, "CLIENT SETNAME", one.ClientSetName(bg, "renamed"))
			eq(t, "CLIENT GETNAME append", []byte("renamed"))(one.ClientGetNameAppend(bg, nil))
			checkErr(t, "CLIENT SETNAME with a space", "ERR", one.ClientSetName(bg, "no spaces"))
			id := val[int64](t, "CLIENT ID")(one.ClientID(bg))
			info := val[string](t, "CLIENT INFO")(one.ClientInfo(bg))
			if !strings.Contains(info, "id="+strconv.FormatInt(id, 10)+" ") || !strings.Contains(info, "name=renamed ") {
				t.Errorf("CLIENT INFO = %q", info)
			}
			parsed := val[ClientInfo](t, "CLIENT INFO parsed")(one.ClientInfoParsed(bg))
			if parsed.ID() != id || parsed.Get("name") != "renamed" || parsed.Get("db") != "0" || parsed[0].Field != "id" {
				t.Errorf("CLIENT INFO parsed = %q", parsed)
			}
			clients := val[[]ClientInfo](t, "CLIENT LIST parsed")(c.ClientListParsed(bg))
			found := false
			for _, ci := range clients {
				if ci.ID() == id {
					found = ci.Get("name") == "renamed" && ci.Get("nope") == ""
				}
			}
			if len(clients) < 2 || !found {
				t.Errorf("CLIENT LIST parsed = %q", clients)
			}
			eq(t, "CLIENT LIST parsed of none", []ClientInfo{})(c.ClientListParsed(bg, ClientListOptions{ID: []int64{1 << 40}}))
			list := val[string](t, "CLIENT LIST")(c.ClientList(bg))
			if !strings.Contains(list, "name=renamed ") {
				t.Errorf("CLIENT LIST lacks our client: %q", list)
			}
			only := val[string](t, "CLIENT LIST ID")(c.ClientList(bg, ClientListOptions{ID: []int64{id}}))
			if strings.Count(only, "\n") != 1 || !strings.HasPrefix(only, "id="+strconv.FormatInt(id, 10)+" ") {
				t.Errorf("CLIENT LIST ID %d = %q", id, only)
			}
			if normal := val[string](t, "CLIENT LIST TYPE")(c.ClientList(bg, ClientListOptions{Type: ClientNormal})); !strings.Contains(normal, "name=renamed ") {
				t.Errorf("CLIENT LIST TYPE normal = %q", normal)
			}
			eq(t, "CLIENT LIST TYPE pubsub", "")(c.ClientList(bg, ClientListOptions{Type: ClientPubSub}))
			eq(t, "CLIENT LIST of a missing id", "")(c.ClientList(bg, ClientListOptions{ID: []int64{1 << 40}}))
			eq(t, "CLIENT GETREDIR", int64(-1))(one.ClientGetRedir(bg))
			noErr(t, "CLIENT NO-EVICT on", one.ClientNoEvict(bg, On))
			noErr(t, "CLIENT NO-EVICT off", one.ClientNoEvict(bg, Off))
			checkErr(t, "CLIENT NO-EVICT maybe", "ERR", one.ClientNoEvict(bg, "MAYBE"))
			eq(t, "CLIENT UNBLOCK of a client not blocked", false)(c.ClientUnblock(bg, id, ClientUnblockOptions{UnblockType: ClientUnblockError}))
			noErr(t, "CLIENT PAUSE WRITE", c.ClientPause(bg, 20*time.Millisecond, ClientPauseOptions{Mode: ClientPauseWrite}))
			noErr(t, "CLIENT UNPAUSE", c.ClientUnpause(bg))
			if r := val[Reply](t, "CLIENT TRACKINGINFO")(one.ClientTrackingInfo(bg)); len(r.Elems) != 6 {
				t.Errorf("CLIENT TRACKINGINFO = %+v", r)
			}
			checkErr(t, "CLIENT CACHING without tracking", "ERR", one.ClientCaching(bg, Yes))
			// Tracking is Options.Cache's: refused on a shared connection.
			if err := one.ClientTracking(bg, Off); err == nil || !strings.Contains(err.Error(), "Options.Cache") {
				t.Errorf("CLIENT TRACKING off: %v, want a refusal naming Options.Cache", err)
			}
			if serverVersion(t, c) >= 702 {
				noErr(t, "CLIENT SETINFO", one.ClientSetInfo(bg, ClientSetInfoAttr{LibName: "fastredis-test"}))
				noErr(t, "CLIENT NO-TOUCH", one.ClientNoTouch(bg, On))
			}
			if h := val[[]string](t, "CLIENT HELP")(c.ClientHelp(bg)); len(h) == 0 {
				t.Error("CLIENT HELP is empty")
			}
			// Kill the one-connection client by ID; it redials on its next command.
			eq(t, "CLIENT KILL ID", int64(1))(c.ClientKill(bg, ClientKillFilter{ID: id}))
			eq(t, "CLIENT KILL nothing", int64(0))(c.ClientKill(bg, ClientKillFilter{ID: id}))
			eq(t, "CLIENT KILL TYPE SKIPME", int64(0))(c.ClientKill(bg, ClientKillFilter{Type: ClientPubSub, SkipMe: Yes}))
			isErr[int64](t, "CLIENT KILL USER unknown", "ERR")(c.ClientKill(bg, ClientKillFilter{User: "nobody"}))
			isErr[int64](t, "CLIENT KILL without filters", "ERR")(c.ClientKill(bg, ClientKillFilter{}))
			for i := 0; i < 3; i++ {
				if _, err := one.Ping(bg); err == nil {
					break
				}
			}
			if newID := val[int64](t, "CLIENT ID after redial")(one.ClientID(bg)); newID == id {
				t.Error("the killed connection was not replaced")
			}
		})
	})
}
