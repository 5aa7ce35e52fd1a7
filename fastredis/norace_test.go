//go:build !race

package fastredis

const raceEnabled = false
