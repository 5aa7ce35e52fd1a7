package main

import (
	"time"

	"golang.org/x/sys/unix"
)

// preciseSleep sleeps for d in nanosleep, which wakes within the kernel's
// timer slack (50µs by default) rather than the Go runtime's millisecond.
func preciseSleep(d time.Duration) {
	ts := unix.NsecToTimespec(int64(d))
	unix.Nanosleep(&ts, nil) // an early wake-up (EINTR) only means another round
}
