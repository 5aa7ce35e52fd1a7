package keyspec

import (
	"errors"
	"sync"
)

// SlotCount is the number of hash slots of a Redis cluster.
const SlotCount = 16384

// ErrCrossSlot is returned by ArgvSlot when the command's keys hash to more
// than one slot. A server in cluster mode rejects such a command with
// CROSSSLOT; a client splits it if its request policy is MULTI_SHARD.
var ErrCrossSlot = errors.New("keyspec: keys in request don't hash to the same slot")

// crc16Table is the byte-wise lookup table of CRC-16/XMODEM (polynomial
// 0x1021, initial value 0, no reflection), the CRC of Redis' crc16.c,
// computed rather than copied.
var crc16Table = makeCRC16Table()

func makeCRC16Table() (t [256]uint16) {
	for i := range t {
		crc := uint16(i) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
		t[i] = crc
	}
	return t
}

// crc16 is CRC-16/XMODEM of s: crc16("123456789") is 0x31C3.
func crc16[T Arg](s T) uint16 {
	var crc uint16
	for i := 0; i < len(s); i++ {
		crc = crc<<8 ^ crc16Table[byte(crc>>8)^s[i]]
	}
	return crc
}

// Slot returns the cluster hash slot of key, as Redis' keyHashSlot: CRC16 of
// the key modulo 16384, where a key holding a hash tag hashes only the tag.
// The tag is what lies between the first '{' and the first '}' after it,
// if that is not empty: "{user1000}.following" hashes "user1000", so it
// shares a slot with "{user1000}.followers"; "foo{}{bar}" hashes all of
// itself; "foo{{bar}}zap" hashes "{bar". It allocates nothing.
func Slot(key string) int { return hashSlot(key) }

// SlotBytes is Slot for a key held in a byte slice.
func SlotBytes(key []byte) int { return hashSlot(key) }

func hashSlot[T Arg](key T) int {
	for i := 0; i < len(key); i++ {
		if key[i] != '{' {
			continue
		}
		for j := i + 1; j < len(key); j++ {
			if key[j] == '}' {
				if j > i+1 {
					key = key[i+1 : j]
				}
				break
			}
		}
		break
	}
	return int(crc16(key) & (SlotCount - 1))
}

// ArgvSlot returns the hash slot of the command argv invokes: the slot its
// keys (and shard channels: AppendSlotPositions) hash to. hasKeys is false
// when argv has no such argument (PING, EVAL script 0, KEYS): any node may
// run it, as far as slots go; slot is then 0. When the keys hash to
// different slots it returns ErrCrossSlot (with hasKeys true and the first
// key's slot); on the errors of AppendSlotPositions, those. It allocates
// nothing for commands with up to 16 such arguments.
// posPool holds key-position buffers for commands with many arguments.
var posPool = sync.Pool{New: func() any { s := make([]int, 0, 128); return &s }}

func ArgvSlot[T Arg](argv []T) (slot int, hasKeys bool, err error) {
	var buf [16]int
	if len(argv) <= len(buf)+1 {
		slot, hasKeys, _, err = argvSlot(buf[:0], argv)
		return slot, hasKeys, err
	}
	// More arguments than the stack buffer may hold keys: a pooled one,
	// kept at the size it grew to.
	pp := posPool.Get().(*[]int)
	slot, hasKeys, *pp, err = argvSlot((*pp)[:0], argv)
	posPool.Put(pp)
	return slot, hasKeys, err
}

// argvSlot is ArgvSlot with the key positions collected in pos, which it
// returns (grown).
func argvSlot[T Arg](pos []int, argv []T) (slot int, hasKeys bool, _ []int, err error) {
	pos, err = AppendSlotPositions(pos, argv)
	if err != nil {
		return 0, false, pos, err
	}
	if len(pos) == 0 {
		return 0, false, pos, nil
	}
	slot = hashSlot(argv[pos[0]])
	for _, p := range pos[1:] {
		if hashSlot(argv[p]) != slot {
			return slot, true, pos, ErrCrossSlot
		}
	}
	return slot, true, pos, nil
}
