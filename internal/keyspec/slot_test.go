package keyspec

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestCRC16(t *testing.T) {
	// The check value of CRC-16/XMODEM, and the one in Redis' crc16.c.
	if got := crc16("123456789"); got != 0x31C3 {
		t.Errorf("crc16(123456789) = %#x, want 0x31c3", got)
	}
	if got := crc16(""); got != 0 {
		t.Errorf("crc16() = %#x, want 0", got)
	}
}

func TestSlot(t *testing.T) {
	for _, tc := range []struct {
		key  string
		slot int
	}{
		{"foo", 12182},
		{"bar", 5061},
		{"", 0},
		{"123456789", 0x31C3},
		{"user1000", 3443},
		{"{user1000}.following", 3443}, // the tag
		{"{user1000}.followers", 3443},
		{"foo{bar}{zap}", 5061}, // the first tag: "bar"
		{"foo{}{bar}", 8363},    // empty first tag: the whole key
		{"foo{{bar}}zap", 4015}, // "{bar", the first '}' after the first '{'
		{"{bar", 4015},          // no '}': the whole key
		{"{", 4092},             // the whole key
		{"{}", 15257},           // empty tag: the whole key
		{"}{x}", 16287},         // a '}' before the '{' does not count
		{"a{b", 13340},          // no '}': the whole key
	} {
		if got := Slot(tc.key); got != tc.slot {
			t.Errorf("Slot(%q) = %d, want %d", tc.key, got, tc.slot)
		}
		if got := SlotBytes([]byte(tc.key)); got != tc.slot {
			t.Errorf("SlotBytes(%q) = %d, want %d", tc.key, got, tc.slot)
		}
	}
}

// refSlot is keyHashSlot written plainly: a bit-at-a-time CRC and the tag
// rule with strings.Index, to check the table-driven code against.
func refSlot(key string) int {
	if s := strings.IndexByte(key, '{'); s >= 0 {
		if e := strings.IndexByte(key[s+1:], '}'); e > 0 {
			key = key[s+1 : s+1+e]
		}
	}
	var crc uint16
	for i := 0; i < len(key); i++ {
		crc ^= uint16(key[i]) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return int(crc % 16384)
}

func FuzzSlot(f *testing.F) {
	for _, s := range []string{"", "foo", "{user1000}.following", "foo{}{bar}", "foo{{bar}}zap", "}{", "{{}}", "\xff{\x00}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, key []byte) {
		s, b, ref := Slot(string(key)), SlotBytes(key), refSlot(string(key))
		if s != b || s != ref || s < 0 || s >= SlotCount {
			t.Fatalf("%q: Slot %d, SlotBytes %d, reference %d", key, s, b, ref)
		}
	})
}

func TestArgvSlot(t *testing.T) {
	many := []string{"MGET"}
	for i := range 40 {
		many = append(many, "{tag}"+strconv.Itoa(i))
	}
	for _, tc := range []struct {
		argv    []string
		slot    int
		hasKeys bool
		err     error
	}{
		{argv: args("GET foo"), slot: 12182, hasKeys: true},
		{argv: args("get {user1000}.following"), slot: 3443, hasKeys: true},
		{argv: args("MGET {user1000}.a {user1000}.b user1000"), slot: 3443, hasKeys: true},
		{argv: args("MSET {a}x 1 {a}y foo"), slot: Slot("a"), hasKeys: true}, // values are not hashed
		{argv: args("MGET foo bar"), slot: 12182, hasKeys: true, err: ErrCrossSlot},
		{argv: args("MSET foo 1 bar 2"), slot: 12182, hasKeys: true, err: ErrCrossSlot},
		{argv: args("EVAL s 2 foo {foo}x arg"), slot: 12182, hasKeys: true},
		{argv: args("EVAL s 0 foo"), hasKeys: false},
		{argv: args("SORT foo BY w_* GET o_*"), slot: 12182, hasKeys: true}, // patterns are not hashed
		{argv: args("SPUBLISH ch msg"), slot: 13271, hasKeys: true},         // shard channel
		{argv: args("PUBLISH ch msg")},
		{argv: args("PING")},
		{argv: args("KEYS foo*")},
		{argv: args("XREAD STREAMS foo {foo}1 0 0"), slot: 12182, hasKeys: true},
		{argv: many, slot: Slot("tag"), hasKeys: true},
		{argv: args("NOSUCH foo"), err: ErrUnknownCommand},
		{argv: args("GET"), err: ErrWrongArity},
		{argv: args("EVAL s x"), err: ErrInvalidKeyArgs},
		{argv: nil, err: ErrUnknownCommand},
	} {
		slot, hasKeys, err := ArgvSlot(tc.argv)
		if slot != tc.slot || hasKeys != tc.hasKeys || !errors.Is(err, tc.err) {
			t.Errorf("ArgvSlot(%q) = %d, %t, %v; want %d, %t, %v", tc.argv, slot, hasKeys, err, tc.slot, tc.hasKeys, tc.err)
		}
		b := make([][]byte, len(tc.argv))
		for i, a := range tc.argv {
			b[i] = []byte(a)
		}
		bslot, bhasKeys, berr := ArgvSlot(b)
		if bslot != slot || bhasKeys != hasKeys || berr != err {
			t.Errorf("ArgvSlot(%q) as bytes = %d, %t, %v; as strings %d, %t, %v", tc.argv, bslot, bhasKeys, berr, slot, hasKeys, err)
		}
	}
}

func TestSlotZeroAllocs(t *testing.T) {
	mset := []string{"MSET"}
	for i := range 16 {
		mset = append(mset, "{k}"+strconv.Itoa(i), "v")
	}
	mget := []string{"MGET"}
	for i := range 16 {
		mget = append(mget, "{k}"+strconv.Itoa(i))
	}
	bget := [][]byte{[]byte("get"), []byte("foo")}
	allocs := testing.AllocsPerRun(100, func() {
		_ = Slot("{user1000}.following")
		_ = SlotBytes(bget[1])
		_, _, _ = ArgvSlot(mset)
		_, _, _ = ArgvSlot(mget)
		_, _, _ = ArgvSlot(bget)
		_, _, _ = ArgvSlot([]string{"MGET", "foo", "bar"})
	})
	if allocs != 0 {
		t.Errorf("%v allocs per run, want 0", allocs)
	}
}

func BenchmarkSlot(b *testing.B) {
	for _, key := range []string{"foo", "{user1000}.following", "object:1234567890:field"} {
		b.Run(key, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = Slot(key)
			}
		})
	}
}

func BenchmarkArgvSlot(b *testing.B) {
	mget := []string{"MGET"}
	for i := range 16 {
		mget = append(mget, "{user1000}."+strconv.Itoa(i))
	}
	for name, argv := range map[string][]string{
		"GET":    {"GET", "key:1"},
		"MGET16": mget,
		"EVAL2":  {"EVAL", "return 1", "2", "{k}1", "{k}2", "arg"},
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _, _ = ArgvSlot(argv)
			}
		})
	}
}
