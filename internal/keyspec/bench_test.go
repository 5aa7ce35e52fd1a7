package keyspec

import (
	"strconv"
	"testing"
)

func benchArgv() map[string][]string {
	mset := []string{"MSET"}
	for i := 0; i < 10; i++ {
		mset = append(mset, "key:"+strconv.Itoa(i), "value")
	}
	return map[string][]string{
		"GET":    {"GET", "key:1"},
		"MSET10": mset,
		"EVAL2":  {"EVAL", "return 1", "2", "k1", "k2", "arg"},
		"XREAD2": {"XREAD", "COUNT", "10", "STREAMS", "s1", "s2", "0", "0"},
		"SORT":   {"SORT", "list", "BY", "w_*", "GET", "#", "GET", "o_*", "STORE", "dst"},
	}
}

var benchOrder = []string{"GET", "MSET10", "EVAL2", "XREAD2", "SORT"}

func BenchmarkAppendKeyPositions(b *testing.B) {
	cases := benchArgv()
	for _, name := range benchOrder {
		argv := cases[name]
		b.Run(name, func(b *testing.B) {
			dst := make([]int, 0, 16)
			b.ReportAllocs()
			for b.Loop() {
				dst, _ = AppendKeyPositions(dst[:0], argv)
			}
		})
	}
}

func BenchmarkAppendKeyPositionsBytes(b *testing.B) {
	cases := benchArgv()
	for _, name := range benchOrder {
		argv := make([][]byte, len(cases[name]))
		for i, a := range cases[name] {
			argv[i] = []byte(a)
		}
		b.Run(name, func(b *testing.B) {
			dst := make([]int, 0, 16)
			b.ReportAllocs()
			for b.Loop() {
				dst, _ = AppendKeyPositions(dst[:0], argv)
			}
		})
	}
}

func BenchmarkAppendPrefixPositions(b *testing.B) {
	cases := benchArgv()
	for _, name := range benchOrder {
		argv := cases[name]
		b.Run(name, func(b *testing.B) {
			dst := make([]int, 0, 16)
			b.ReportAllocs()
			for b.Loop() {
				dst, _ = AppendPrefixPositions(dst[:0], argv)
			}
		})
	}
}

func BenchmarkInfo(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_, _ = Info("client kill")
	}
}
