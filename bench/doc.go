// Package bench runs the same workloads on fastredis, go-redis and rueidis,
// against a redis-server it starts itself, as sub-benchmarks named
// impl=fastredis, impl=goredis, impl=rueidis and impl=rueidis-pm1, so that
//
//	go test -run '^$' -bench . -count 10 | go tool benchstat -col /impl -
//
// lays them side by side. BenchmarkCompareCluster does the same for the
// cluster clients on a three-master cluster it starts. It is its own module, so the library never
// depends on its peers. See README.md for each client's configuration.
package bench
