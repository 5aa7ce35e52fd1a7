package fastredis

import (
	"testing"

	"github.com/fastredis/fastredis/redistest"
)

func TestGroupBitmap(t *testing.T) {
	eachProtocol(t, redistest.Options{}, func(t *testing.T, c *Client) {
		t.Run("SETBIT GETBIT BITCOUNT BITPOS", func(t *testing.T) {
			eq(t, "SETBIT", int64(0))(c.SetBit(bg, "b", 7, 1))
			eq(t, "SETBIT again", int64(1))(c.SetBit(bg, "b", 7, 1))
			eq(t, "SETBIT far", int64(0))(c.SetBit(bg, "b", 100, 1))
			eq(t, "GETBIT", int64(1))(c.GetBit(bg, "b", 7))
			eq(t, "GETBIT unset", int64(0))(c.GetBit(bg, "b", 8))
			eq(t, "GETBIT missing key", int64(0))(c.GetBit(bg, "missing", 8))
			isErr[int64](t, "SETBIT value 2", "ERR")(c.SetBit(bg, "b", 1, 2))
			isErr[int64](t, "SETBIT negative offset", "ERR")(c.SetBit(bg, "b", -1, 1))
			eq(t, "STRLEN", int64(13))(c.StrLen(bg, "b"))
			eq(t, "BITCOUNT", int64(2))(c.BitCount(bg, "b"))
			eq(t, "BITCOUNT byte range", int64(1))(c.BitCount(bg, "b", BitCountOptions{Range: &BitCountRange{Start: 0, End: 0}}))
			eq(t, "BITCOUNT BIT range", int64(0))(c.BitCount(bg, "b", BitCountOptions{Range: &BitCountRange{Start: 0, End: 6, Unit: UnitBit}}))
			eq(t, "BITCOUNT BYTE range", int64(1))(c.BitCount(bg, "b", BitCountOptions{Range: &BitCountRange{Start: -1, End: -1, Unit: UnitByte}}))
			eq(t, "BITCOUNT missing", int64(0))(c.BitCount(bg, "missing"))
			eq(t, "BITPOS 1", int64(7))(c.BitPos(bg, "b", 1))
			eq(t, "BITPOS 0", int64(0))(c.BitPos(bg, "b", 0))
			eq(t, "BITPOS 1 from byte 1", int64(100))(c.BitPos(bg, "b", 1, BitPosOptions{Range: &BitPosRange{Start: 1}}))
			eq(t, "BITPOS 1 BIT range", int64(-1))(c.BitPos(bg, "b", 1, BitPosOptions{Range: &BitPosRange{Start: 8, End: &BitPosEnd{End: 99, Unit: UnitBit}}}))
			eq(t, "BITPOS missing key", int64(-1))(c.BitPos(bg, "missing", 1))
		})
		t.Run("BITOP", func(t *testing.T) {
			c.Set(bg, "x", "\xff\x0f")
			c.Set(bg, "y", "\x0f\xff\x01")
			eq(t, "BITOP AND", int64(3))(c.BitOp(bg, BitOpAnd, "and", "x", "y"))
			eq(t, "and", "\x0f\x0f\x00")(c.Get(bg, "and"))
			eq(t, "BITOP OR", int64(3))(c.BitOp(bg, BitOpOr, "or", "x", "y"))
			eq(t, "or", "\xff\xff\x01")(c.Get(bg, "or"))
			eq(t, "BITOP XOR", int64(3))(c.BitOp(bg, BitOpXor, "xor", "x", "y"))
			eq(t, "xor", "\xf0\xf0\x01")(c.Get(bg, "xor"))
			eq(t, "BITOP NOT", int64(2))(c.BitOp(bg, BitOpNot, "not", "x"))
			eq(t, "not", "\x00\xf0")(c.Get(bg, "not"))
			isErr[int64](t, "BITOP NOT of two keys", "ERR")(c.BitOp(bg, BitOpNot, "not", "x", "y"))
		})
		t.Run("BITFIELD", func(t *testing.T) {
			eq(t, "BITFIELD SET GET", []NullInt64{{0, true}, {200, true}})(c.BitField(bg, "bf",
				BitFieldOp{Write: &BitFieldWrite{Set: &BitFieldSet{Encoding: "u8", Offset: 0, Value: 200}}},
				BitFieldOp{Get: &BitFieldGet{Encoding: "u8", Offset: 0}}))
			eq(t, "BITFIELD INCRBY wraps", []NullInt64{{44, true}})(c.BitField(bg, "bf",
				BitFieldOp{Write: &BitFieldWrite{IncrBy: &BitFieldIncrBy{Encoding: "u8", Offset: 0, Increment: 100}}}))
			eq(t, "BITFIELD OVERFLOW SAT", []NullInt64{{255, true}})(c.BitField(bg, "bf",
				BitFieldOp{Write: &BitFieldWrite{Overflow: OverflowSat, IncrBy: &BitFieldIncrBy{Encoding: "u8", Offset: 0, Increment: 1000}}}))
			eq(t, "BITFIELD OVERFLOW FAIL", []NullInt64{{}})(c.BitField(bg, "bf",
				BitFieldOp{Write: &BitFieldWrite{Overflow: OverflowFail, IncrBy: &BitFieldIncrBy{Encoding: "u8", Offset: 0, Increment: 1}}}))
			eq(t, "BITFIELD signed 64", []NullInt64{{0, true}, {-9223372036854775808, true}})(c.BitField(bg, "bf64",
				BitFieldOp{Write: &BitFieldWrite{Set: &BitFieldSet{Encoding: "i64", Offset: 0, Value: -9223372036854775808}}},
				BitFieldOp{Get: &BitFieldGet{Encoding: "i64", Offset: 0}}))
			eq(t, "BITFIELD no operations", []NullInt64{})(c.BitField(bg, "bf"))
			eq(t, "BITFIELD_RO", []int64{255, 15})(c.BitFieldRO(bg, "bf", BitFieldGet{Encoding: "u8", Offset: 0}, BitFieldGet{Encoding: "u4", Offset: 4}))
			isErr[[]NullInt64](t, "BITFIELD bad encoding", "ERR")(c.BitField(bg, "bf", BitFieldOp{Get: &BitFieldGet{Encoding: "x9", Offset: 0}}))
		})
		t.Run("wrong type", func(t *testing.T) {
			c.LPush(bg, "list", "x")
			isErr[int64](t, "SETBIT list", "WRONGTYPE")(c.SetBit(bg, "list", 1, 1))
			isErr[int64](t, "BITCOUNT list", "WRONGTYPE")(c.BitCount(bg, "list"))
			isErr[[]NullInt64](t, "BITFIELD list", "WRONGTYPE")(c.BitField(bg, "list", BitFieldOp{Get: &BitFieldGet{Encoding: "u8", Offset: 0}}))
		})
	})
}
