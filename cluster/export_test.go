package cluster

// SharedSeeds gives the examples (package cluster_test) the seeds of the
// shared test cluster.
var SharedSeeds = exampleSeeds
