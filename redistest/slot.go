package redistest

import (
	"strconv"
	"strings"
)

// ClusterSlots is the number of hash slots of a Redis Cluster.
const ClusterSlots = 16384

// KeySlot returns the hash slot of key, as CLUSTER KEYSLOT does: CRC16 of
// the key, or of its hash tag (the part between the first "{" and the next
// "}" when that is not empty), modulo 16384.
func KeySlot(key string) int {
	if i := strings.IndexByte(key, '{'); i >= 0 {
		if j := strings.IndexByte(key[i+1:], '}'); j > 0 {
			key = key[i+1 : i+1+j]
		}
	}
	return int(crc16(key) % ClusterSlots)
}

// SlotTag returns a short hash tag, with its braces, whose keys hash to slot:
// KeySlot(SlotTag(slot)+anything) == slot. Tests use it to make keys that
// live in a chosen slot, e.g. SlotTag(7)+"a" and SlotTag(7)+"b". It returns
// "" when slot is out of range.
func SlotTag(slot int) string {
	if slot < 0 || slot >= ClusterSlots {
		return ""
	}
	// CRC16 spreads short decimal strings over all slots; the search is a
	// few thousand steps at most.
	for i := 0; ; i++ {
		s := strconv.Itoa(i)
		if int(crc16(s)%ClusterSlots) == slot {
			return "{" + s + "}"
		}
	}
}

// crc16 is CRC-16/XMODEM (polynomial 0x1021, initial value 0), the checksum
// Redis Cluster hashes keys with.
func crc16(s string) uint16 {
	var crc uint16
	for i := 0; i < len(s); i++ {
		crc ^= uint16(s[i]) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}
