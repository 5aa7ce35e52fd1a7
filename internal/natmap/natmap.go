// Package natmap rewrites the addresses a cluster or the sentinels
// announce into addresses a client can dial: NATMap and NATMapper of the
// cluster and sentinel options.
package natmap

// Apply maps addr: with f, what f returns (addr itself when f returns "");
// else m's entry for addr, if any; else addr.
func Apply(m map[string]string, f func(addr string) string, addr string) string {
	if f != nil {
		if mapped := f(addr); mapped != "" {
			return mapped
		}
		return addr
	}
	if mapped, ok := m[addr]; ok {
		return mapped
	}
	return addr
}
