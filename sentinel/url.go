package sentinel

import (
	"errors"

	"github.com/fastredis/fastredis/fastredis"
)

// ParseURL turns a URL into Options, in go-redis's form: the hosts are the
// sentinels (more with the repeated addr parameter) and master_name names
// the master:
//
//	redis://[[username]:password@]sentinel1:26379?master_name=mymaster&addr=sentinel2:26379
//
// The credentials and the other parameters are the data nodes' (set the
// sentinels' own with Options.SentinelUsername and SentinelPassword).
func ParseURL(rawURL string) (Options, error) {
	uo, err := fastredis.ParseUniversalURL(rawURL)
	if err != nil {
		return Options{}, err
	}
	if uo.MasterName == "" {
		return Options{}, errors.New("fastredis/sentinel: the URL names no master (add master_name=...)")
	}
	opts := Options{MasterName: uo.MasterName, Sentinels: uo.Addrs, NodeOptions: uo.Options}
	opts.NodeOptions.Addr = ""
	return opts, nil
}

func init() {
	registerUniversal()
}
