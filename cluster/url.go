package cluster

import (
	"errors"

	"github.com/fastredis/fastredis/fastredis"
)

// ParseURL turns a URL into Options: fastredis.ParseURL's form, with more
// seed nodes as go-redis's repeated addr parameter:
//
//	redis://[[username]:password@]host1:port1?addr=host2:port2&addr=host3:port3
//	rediss://... (TLS: each node is verified against its own host name)
//
// The credentials and every other parameter apply to every node. A
// database other than 0 and a sentinel URL (master_name) are errors.
func ParseURL(rawURL string) (Options, error) {
	uo, err := fastredis.ParseUniversalURL(rawURL)
	if err != nil {
		return Options{}, err
	}
	if uo.MasterName != "" {
		return Options{}, errors.New("fastredis/cluster: the URL names a sentinel master (master_name): use the sentinel client")
	}
	if uo.Options.DB != 0 {
		return Options{}, errors.New("fastredis/cluster: the URL selects a database: a cluster has database 0 only")
	}
	opts := Options{Addrs: uo.Addrs, NodeOptions: uo.Options}
	opts.NodeOptions.Addr = ""
	if cfg := opts.NodeOptions.TLSConfig; cfg != nil {
		cfg = cfg.Clone()
		cfg.ServerName = "" // set per node, from the address it dials
		opts.NodeOptions.TLSConfig = cfg
	}
	return opts, nil
}
