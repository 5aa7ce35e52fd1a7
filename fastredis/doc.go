// Package fastredis is a Redis client: one server, every command, automatic
// pipelining of concurrent callers over a few shared connections, and no
// allocations on the hot path.
//
// This package is being built in steps; so far it holds the client's Options
// and ParseURL. The client itself builds on netpoll (connections) and resp
// (wire format).
package fastredis
