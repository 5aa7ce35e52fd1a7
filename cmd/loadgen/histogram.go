package main

import (
	"math"
	"math/bits"
)

// histogram records latencies in nanoseconds in log-linear buckets, as
// HdrHistogram does: values below 128 are counted exactly, and every power
// of two above is split into 128 equal buckets, so a reported percentile is
// within 1/128 (0.8%) of the true value. Min, max, count and sum are exact.
//
// Buckets are allocated one level (one power of two, 1 KiB) at a time, on
// first use, so a histogram costs a few KiB for a realistic spread of
// latencies however many goroutines keep one; once a level exists,
// recording allocates nothing. A histogram is not safe for concurrent use.
type histogram struct {
	levels  [histLevels]*[histSub]uint64
	touched uint64 // bit L set: level L has counted something since the last reset
	count   uint64
	sum     uint64
	min     uint64
	max     uint64
}

const (
	histSubBits = 7
	histSub     = 1 << histSubBits // buckets per level
	// histLevels covers every uint64: level 0 holds [0, 128) exactly, level
	// L ≥ 1 holds [128<<(L-1), 128<<L) in buckets 1<<(L-1) wide.
	histLevels = 64 - histSubBits + 1
)

// histIndex returns the level and bucket of v.
func histIndex(v uint64) (level, bucket int) {
	if v < histSub {
		return 0, int(v)
	}
	level = bits.Len64(v) - histSubBits
	return level, int(v>>(level-1)) - histSub
}

// histBounds returns the smallest and largest value counted in a bucket.
func histBounds(level, bucket int) (lo, hi uint64) {
	if level == 0 {
		return uint64(bucket), uint64(bucket)
	}
	shift := uint(level - 1)
	lo = uint64(histSub+bucket) << shift
	return lo, lo + (1 << shift) - 1
}

// record counts one value; negative values count as 0.
func (h *histogram) record(ns int64) { h.recordN(ns, 1) }

// recordN counts the value n times (n ≥ 1): the requests of one batch.
func (h *histogram) recordN(ns int64, n uint64) {
	v := uint64(max(ns, 0))
	level, bucket := histIndex(v)
	l := h.levels[level]
	if l == nil {
		l = new([histSub]uint64)
		h.levels[level] = l
	}
	l[bucket] += n
	h.touched |= 1 << level
	if h.count == 0 || v < h.min {
		h.min = v
	}
	if v > h.max {
		h.max = v
	}
	h.count += n
	h.sum += v * n
}

// merge adds the counts of o to h.
func (h *histogram) merge(o *histogram) {
	if o.count == 0 {
		return
	}
	for t := o.touched; t != 0; t &= t - 1 {
		level := bits.TrailingZeros64(t)
		src := o.levels[level]
		dst := h.levels[level]
		if dst == nil {
			dst = new([histSub]uint64)
			h.levels[level] = dst
		}
		for i, n := range src {
			dst[i] += n
		}
	}
	h.touched |= o.touched
	if h.count == 0 || o.min < h.min {
		h.min = o.min
	}
	h.max = max(h.max, o.max)
	h.count += o.count
	h.sum += o.sum
}

// reset empties h and keeps its levels for reuse.
func (h *histogram) reset() {
	for t := h.touched; t != 0; t &= t - 1 {
		*h.levels[bits.TrailingZeros64(t)] = [histSub]uint64{}
	}
	h.touched, h.count, h.sum, h.min, h.max = 0, 0, 0, 0, 0
}

// quantile returns the value below or at which a fraction q (0..1) of the
// recorded values lie: the upper bound of the bucket holding the value of
// that rank, capped at the exact maximum. It returns 0 for an empty
// histogram; quantile(1) is the maximum.
func (h *histogram) quantile(q float64) int64 {
	if h.count == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.count)))
	rank = min(max(rank, 1), h.count)
	var seen uint64
	for t := h.touched; t != 0; t &= t - 1 {
		level := bits.TrailingZeros64(t)
		for bucket, n := range h.levels[level] {
			seen += n
			if seen >= rank {
				_, hi := histBounds(level, bucket)
				return int64(min(max(hi, h.min), h.max))
			}
		}
	}
	return int64(h.max) // not reached: the counts add up to h.count
}

// mean returns the average value, or 0 for an empty histogram.
func (h *histogram) mean() float64 {
	if h.count == 0 {
		return 0
	}
	return float64(h.sum) / float64(h.count)
}
