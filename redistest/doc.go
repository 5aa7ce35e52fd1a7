// Package redistest starts real, throwaway redis-server processes for tests,
// the way net/http/httptest starts real HTTP servers.
//
// fastredis is tested against real servers rather than mocks, because the
// behaviour that matters (the handshake, AUTH and ACL errors, TLS, what a
// server does when it crashes and comes back) is the server's, not ours.
// Start launches a redis-server that listens on a free loopback port and on a
// unix socket, keeps its configuration, log and data files in the test's
// temporary directory, waits until the server says it is ready, and stops it
// when the test ends:
//
//	func TestGet(t *testing.T) {
//		srv := redistest.Start(t, redistest.Options{Password: "s3cret"})
//		// dial srv.Addr, srv.Socket or srv.URL() ...
//	}
//
// New does the same without a testing.TB, for a server shared by a whole
// package from TestMain, and for tools; its caller stops the server with
// Close:
//
//	func TestMain(m *testing.M) {
//		srv, err := redistest.New(redistest.Options{})
//		if err != nil {
//			log.Fatal(err)
//		}
//		addr = srv.Addr // a package variable the tests dial
//		code := m.Run()
//		srv.Close()
//		os.Exit(code)
//	}
//
// Readiness is read from the server's own log ("Ready to accept connections"),
// never guessed with a sleep, so starting a server costs a few milliseconds.
// Options add what tests of a client need: a password, ACL users, TLS with
// generated certificates (optionally mutual TLS), and extra redis.conf lines.
// Kill and Restart let a test crash a server and bring it back on the same
// address with the same data directory:
//
//	srv := redistest.Start(t, redistest.Options{Config: []string{"appendonly yes", "appendfsync always"}})
//	// ... write data through a client connected to srv.Addr ...
//	srv.Kill()     // as a crash would: SIGKILL
//	srv.Restart(t) // same port, socket and files; the AOF is loaded again
//
// The redis-server binary must be installed: Start and New look for it in
// Options.Binary, then in the environment variable REDISTEST_REDIS_SERVER,
// then in PATH (Debian and Ubuntu: apt-get install redis-server; macOS: brew
// install redis). When there is none, Start fails the test with a message
// that says so, or skips it with Options.SkipIfMissing, and New returns an
// error that wraps ErrNotInstalled. Servers bind 127.0.0.1 only.
//
// StartCluster and NewCluster start a Redis Cluster the same way: masters
// (3 by default) with ReplicasPerMaster replicas each, optionally with a
// password, TLS between the nodes, or announced hostnames that a client must
// map. The topology is built from Go (CLUSTER ADDSLOTSRANGE, MEET,
// REPLICATE) and awaited by polling the nodes, never by sleeping: three
// masters with a replica each are ready in about 2.1 s, nearly all of it a
// delay Redis imposes. Cluster and ClusterNode let a test fail over
// (Failover, or Kill and WaitHealthy), restart a node so it rejoins, and
// move a slot step by step (BeginMigration, MoveKeys, Finish) to see ASK,
// TRYAGAIN and MOVED:
//
//	c := redistest.StartCluster(t, redistest.ClusterOptions{ReplicasPerMaster: 1})
//	// seed a client with c.Addrs() or c.URL()
//	c.Replicas()[0].Failover(t)
//	m := c.BeginMigration(t, c.KeySlot("foo"), c.Masters()[0])
//	// ... a GET of a moved key on m.From now answers -ASK ...
//	m.Finish(t)
//
// StartSentinel and NewSentinel start a Redis Sentinel group: a master,
// replicas and sentinels (redis-server --sentinel), told of each other in
// their configuration so the group is ready at once, with handles to fail
// the master over (SENTINEL FAILOVER), kill it, and stop and start a
// sentinel.
//
// If the test binary dies without running its cleanups (a -timeout panic, a
// SIGKILL), the servers it started are killed too on Linux, so they do not
// outlive the run.
package redistest
