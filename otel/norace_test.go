//go:build !race

package fastredisotel_test

const raceEnabled = false
