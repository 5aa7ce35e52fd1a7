package main

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestHistogramIndexRoundTrip(t *testing.T) {
	values := []uint64{0, 1, 127, 128, 129, 255, 256, 257, 1000, 123456, 1 << 40, math.MaxUint64}
	for i := range 2000 {
		values = append(values, uint64(i)*7919, rand.Uint64()>>uint(i%64))
	}
	for _, v := range values {
		level, bucket := histIndex(v)
		if level < 0 || level >= histLevels || bucket < 0 || bucket >= histSub {
			t.Fatalf("histIndex(%d) = %d, %d: out of range", v, level, bucket)
		}
		lo, hi := histBounds(level, bucket)
		if v < lo || v > hi {
			t.Fatalf("%d lands in bucket [%d, %d]", v, lo, hi)
		}
		if v >= histSub && float64(hi-lo) > float64(lo)/histSub {
			t.Fatalf("bucket [%d, %d] is wider than 1/%d of its values", lo, hi, histSub)
		}
	}
}

func TestHistogramQuantilesMatchSortedSamples(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var h histogram
	samples := make([]int64, 100_000)
	for i := range samples {
		// Log-normal-ish latencies between about 20µs and 50ms.
		samples[i] = int64(math.Exp(rng.NormFloat64()*1.2 + 11.5))
		h.record(samples[i])
	}
	slices.Sort(samples)
	for _, q := range []float64{0, 0.01, 0.5, 0.9, 0.99, 0.999, 1} {
		rank := max(int(math.Ceil(q*float64(len(samples)))), 1)
		exact := samples[rank-1]
		got := h.quantile(q)
		if got < exact || float64(got-exact) > float64(exact)/histSub+1 {
			t.Errorf("quantile(%v) = %d, want %d to within 1/%d above", q, got, exact, histSub)
		}
	}
	if h.count != uint64(len(samples)) || int64(h.min) != samples[0] || int64(h.max) != samples[len(samples)-1] {
		t.Errorf("count, min, max = %d, %d, %d; want %d, %d, %d", h.count, h.min, h.max, len(samples), samples[0], samples[len(samples)-1])
	}
}

func TestHistogramMergeAndReset(t *testing.T) {
	var a, b, both histogram
	for i := range 1000 {
		v := int64(i * i * 37)
		if i%3 == 0 {
			a.record(v)
		} else {
			b.record(v)
		}
		both.record(v)
	}
	var m histogram
	m.merge(&a)
	m.merge(&b)
	m.merge(&histogram{}) // empty: no effect
	for _, q := range []float64{0.1, 0.5, 0.99, 1} {
		if m.quantile(q) != both.quantile(q) {
			t.Errorf("merged quantile(%v) = %d, want %d", q, m.quantile(q), both.quantile(q))
		}
	}
	if m.count != both.count || m.sum != both.sum || m.min != both.min || m.max != both.max {
		t.Errorf("merged totals differ: %+v vs %+v", m, both)
	}
	m.reset()
	if m.count != 0 || m.quantile(0.5) != 0 || m.mean() != 0 {
		t.Errorf("after reset: count %d, p50 %d", m.count, m.quantile(0.5))
	}
	m.record(5)
	if m.min != 5 || m.max != 5 || m.quantile(0.99) != 5 {
		t.Errorf("after reset and one record: min %d max %d p99 %d", m.min, m.max, m.quantile(0.99))
	}
}

func TestHistogramQuantilesNonDecreasing(t *testing.T) {
	var h histogram
	rng := rand.New(rand.NewPCG(3, 4))
	for range 10_000 {
		h.record(rng.Int64N(1e9))
	}
	prev := int64(-1)
	for q := 0.0; q <= 1; q += 0.001 {
		v := h.quantile(q)
		if v < prev {
			t.Fatalf("quantile(%v) = %d < %d", q, v, prev)
		}
		prev = v
	}
}

func TestHistogramRecordDoesNotAllocate(t *testing.T) {
	var h histogram
	h.record(150_000) // allocates its level once
	allocs := testing.AllocsPerRun(1000, func() { h.record(150_123) })
	if allocs != 0 {
		t.Errorf("record allocates %v times per call", allocs)
	}
}

// recordN(v, n) counts as n calls of record(v) do.
func TestHistogramRecordN(t *testing.T) {
	var one, many histogram
	for _, v := range []int64{5, 900, 150_000, 3_000_000} {
		for range 7 {
			one.record(v)
		}
		many.recordN(v, 7)
	}
	if one.count != many.count || one.sum != many.sum || one.min != many.min || one.max != many.max {
		t.Errorf("recordN: count %d sum %d min %d max %d; record: %d %d %d %d",
			many.count, many.sum, many.min, many.max, one.count, one.sum, one.min, one.max)
	}
	for _, q := range []float64{0.1, 0.5, 0.9, 0.99} {
		if a, b := one.quantile(q), many.quantile(q); a != b {
			t.Errorf("quantile(%v): recordN %d, record %d", q, b, a)
		}
	}
}
