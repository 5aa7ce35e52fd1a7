//go:build !linux

package main

import "time"

// preciseSleep sleeps for d as precisely as the Go runtime's timers can on
// this system.
func preciseSleep(d time.Duration) { time.Sleep(d) }
