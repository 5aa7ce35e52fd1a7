//go:build race

package fastredis

const raceEnabled = true
