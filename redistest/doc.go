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
// Readiness is read from the server's own log ("Ready to accept connections"),
// never guessed with a sleep, so starting a server costs a few milliseconds.
// Options add what tests of a client need: a password, ACL users, TLS with
// generated certificates (optionally mutual TLS), and extra redis.conf lines.
// Kill and Restart let a test crash a server and bring it back on the same
// address with the same data directory.
//
// The redis-server binary must be installed (Debian: apt-get install
// redis-server; in this repository: make deps). Start fails the test with a
// message that says so when it is missing. Servers bind 127.0.0.1 only.
//
// If the test binary dies without running its cleanups (a -timeout panic, a
// SIGKILL), the servers it started are killed too on Linux, so they do not
// outlive the run.
package redistest
