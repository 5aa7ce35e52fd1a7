package fastredis

// SentinelClient is a client for one Redis Sentinel server: the SENTINEL
// commands as typed methods (generated, in commands_sentinel_gen.go:
// Masters, Master, Replicas, Sentinels, GetMasterAddrByName, Failover,
// Reset, CKQuorum, FlushConfig, Monitor, Remove, Set, InfoCache,
// IsMasterDownByAddr, MyID, ...), plus Do for anything else (PING, INFO,
// SUBSCRIBE through the Client). The sentinel package uses it, and so can
// programs that administer sentinels.
type SentinelClient struct {
	c *Client
}

// NewSentinelClient connects to the sentinel at opts.Addr, as NewClient
// connects to a data node (sentinels take AUTH, TLS and RESP3 too).
func NewSentinelClient(opts Options) (*SentinelClient, error) {
	c, err := NewClient(opts)
	if err != nil {
		return nil, err
	}
	return &SentinelClient{c: c}, nil
}

// Client returns the underlying client of the sentinel connection, for
// Do, PING, INFO and subscriptions to the sentinel's events.
func (s *SentinelClient) Client() *Client { return s.c }

// Close closes the sentinel's connections.
func (s *SentinelClient) Close() error { return s.c.Close() }
