package resp

import (
	"bytes"
	"strconv"
	"testing"
)

func benchParse(b *testing.B, in []byte, walk bool) {
	b.Helper()
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	var r Reader
	for b.Loop() {
		v, n, err := r.Parse(in)
		if err != nil || n != len(in) {
			b.Fatalf("n=%d err=%v", n, err)
		}
		if walk {
			it := v.Iter()
			for it.Next() {
				_ = it.Value().Bytes()
			}
		}
	}
}

func bulkOf(n int) []byte { return AppendBulk(nil, bytes.Repeat([]byte("v"), n)) }

func BenchmarkParse(b *testing.B) {
	array := AppendArrayHeader(nil, 100)
	for i := 0; i < 100; i++ {
		array = AppendBulkString(array, "value-"+strconv.Itoa(i))
	}
	m := AppendMapHeader(nil, 50)
	for i := 0; i < 50; i++ {
		m = AppendBulkString(m, "field-"+strconv.Itoa(i))
		m = AppendBulkString(m, "value-"+strconv.Itoa(i))
	}
	push := AppendPushHeader(nil, 3)
	push = AppendBulkString(push, "message")
	push = AppendBulkString(push, "news.sport")
	push = AppendBulkString(push, "goal!")
	for _, bc := range []struct {
		name string
		in   []byte
		walk bool
	}{
		{"SimpleString", []byte("+OK\r\n"), false},
		{"Integer", []byte(":1234567\r\n"), false},
		{"NullBulk", []byte("$-1\r\n"), false},
		{"Bulk16B", bulkOf(16), false},
		{"Bulk1KiB", bulkOf(1 << 10), false},
		{"Bulk1MiB", bulkOf(1 << 20), false},
		{"Array100Bulks", array, true},
		{"Map50Pairs", m, true},
		{"Push", push, true},
	} {
		b.Run(bc.name, func(b *testing.B) { benchParse(b, bc.in, bc.walk) })
	}
}

// BenchmarkParseBulk1MiBIn64KiBPieces measures a large reply arriving in
// pieces: the caller consults Need and Parse resumes, so the cost stays that
// of one parse rather than one per piece.
func BenchmarkParseBulk1MiBIn64KiBPieces(b *testing.B) {
	in := bulkOf(1 << 20)
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	var r Reader
	for b.Loop() {
		for k := 64 << 10; ; k += 64 << 10 {
			k = min(k, len(in))
			if k < r.Need() {
				continue
			}
			if _, _, err := r.Parse(in[:k]); err == nil {
				break
			} else if err != ErrIncomplete {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkValueAccessors(b *testing.B) {
	var r Reader
	intV, _, _ := r.Parse([]byte(":1234567\r\n"))
	floatV, _, _ := r.Parse([]byte(",3.14159\r\n"))
	bulkNum, _, _ := r.Parse([]byte("$7\r\n1234567\r\n"))
	dst := make([]byte, 0, 64)
	b.Run("Int", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := intV.Int(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("IntFromBulk", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := bulkNum.Int(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Float", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := floatV.Float(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("AppendBytes", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			dst = bulkNum.AppendBytes(dst[:0])
		}
	})
}

func BenchmarkWrite(b *testing.B) {
	key, value := "user:1000:session", bytes.Repeat([]byte("v"), 64)
	fields := make([]string, 200)
	for i := range fields {
		fields[i] = "key-" + strconv.Itoa(i)
	}
	buf := make([]byte, 0, 64<<10)
	b.Run("GET", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf = AppendArrayHeader(buf[:0], 2)
			buf = AppendBulkString(buf, "GET")
			buf = AppendBulkString(buf, key)
		}
	})
	b.Run("SET", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf = AppendArrayHeader(buf[:0], 3)
			buf = AppendBulkString(buf, "SET")
			buf = AppendBulkString(buf, key)
			buf = AppendBulk(buf, value)
		}
	})
	b.Run("MSET100", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf = AppendArrayHeader(buf[:0], 201)
			buf = AppendBulkString(buf, "MSET")
			for _, f := range fields {
				buf = AppendBulkString(buf, f)
			}
		}
	})
	b.Run("BulkInt", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf = AppendBulkInt(buf[:0], 1234567890)
		}
	})
	b.Run("BulkFloat", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf = AppendBulkFloat(buf[:0], 3.14159)
		}
	})
}
