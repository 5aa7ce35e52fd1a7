// Package fuzz holds the native Go fuzz targets (go test -fuzz) of the resp
// package and their committed seed corpora. It has no code of its own: every
// target lives in a _test.go file.
//
//	FuzzReader        the reader never panics, never over-reads, gives the
//	                  same result however its input is split into chunks
//	                  (resuming with Need), parses pipelined replies one
//	                  after another, and every accessor of every value works
//	FuzzRoundTrip     what the append functions write, the reader reads back
//	FuzzDifferential  the reader agrees with a plain recursive-descent
//	                  reference parser (refParser) on every input: value,
//	                  length, and complete / incomplete / kind of error
//
// FuzzReader and FuzzDifferential also read their input as a recipe for a
// well-formed value (generate), so that deep, valid structures get fuzzed
// too. TestEagerErrorsAreConsistent pins reader inconsistencies fuzzing
// found and that are fixed.
//
// Run one target at a time, for example:
//
//	go test -run=NONE -fuzz=FuzzReader -fuzztime=30s ./fuzz/
//
// The seed corpora under testdata/fuzz/<FuzzName>/ are regenerated from the
// seed tables (seeds_test.go, roundtrip_test.go) with:
//
//	go test -run=TestWriteSeedCorpus ./fuzz/ -write-corpus
//
// Files there whose names the tables do not give are regression inputs that
// fuzzing found; keep them.
package fuzz
