package fastredis

import (
	"strconv"
	"time"
)

// Durations and times as arguments. The typed methods take a time.Duration
// wherever Redis takes a duration and a time.Time wherever it takes a Unix
// time, and send them in the unit the command wants:
//
//   - where the command has a seconds form and a milliseconds form (SET's EX
//     and PX, EXPIRE and PEXPIRE, SETEX and PSETEX, EXAT and PXAT, EXPIREAT
//     and PEXPIREAT), the seconds form when the duration or time is a whole
//     number of seconds, and the milliseconds form otherwise;
//   - a duration in a fixed unit must be a whole number of it: 1500ms is
//     refused where Redis takes seconds only (RESTORE's IDLETIME), 1.5ms where
//     it takes milliseconds; the error wraps ErrInvalidArgument and the
//     command is not sent;
//   - a time in milliseconds drops what is below a millisecond (a deadline
//     from time.Now() has nanoseconds no server clock honours);
//   - blocking timeouts in seconds (BLPOP and the other B* commands) are sent
//     as a decimal number of seconds, with millisecond precision.
//
// The raw integer forms stay reachable through Do and Cmd.

// BlockForever, as a Block option (XREAD, XREADGROUP), blocks until data
// arrives: it is sent as BLOCK 0. A zero Block does not block at all.
const BlockForever time.Duration = -1

// wholeSeconds reports whether d is a whole number of seconds.
func wholeSeconds(d time.Duration) bool { return d%time.Second == 0 }

// unitCommand picks the command of a seconds/milliseconds pair for d:
// EXPIRE for 10s, PEXPIRE for 1500ms.
func unitCommand(d time.Duration, seconds, milliseconds string) string {
	if wholeSeconds(d) {
		return seconds
	}
	return milliseconds
}

// unixCommand picks the command of a seconds/milliseconds pair for t.
func unixCommand(t time.Time, seconds, milliseconds string) string {
	if t.Nanosecond() == 0 {
		return seconds
	}
	return milliseconds
}

// secondsOrMillis writes d in the unit unitCommand picked.
func (a *argBuf) secondsOrMillis(d time.Duration) *argBuf {
	if wholeSeconds(d) {
		return a.int(int64(d / time.Second))
	}
	return a.millis(d)
}

// unixSecondsOrMillis writes t in the unit unixCommand picked.
func (a *argBuf) unixSecondsOrMillis(t time.Time) *argBuf {
	if t.Nanosecond() == 0 {
		return a.unixSeconds(t)
	}
	return a.unixMillis(t)
}

// seconds writes d as whole seconds.
func (a *argBuf) seconds(d time.Duration) *argBuf {
	if !wholeSeconds(d) {
		a.fail("duration " + d.String() + " is not a whole number of seconds, the unit of this argument")
	}
	return a.int(int64(d / time.Second))
}

// millis writes d as whole milliseconds.
func (a *argBuf) millis(d time.Duration) *argBuf {
	if d%time.Millisecond != 0 {
		a.fail("duration " + d.String() + " is not a whole number of milliseconds, the unit of this argument")
	}
	return a.int(int64(d / time.Millisecond))
}

// secondsFloat writes d as a decimal number of seconds (a blocking
// timeout: 0 blocks forever).
func (a *argBuf) secondsFloat(d time.Duration) *argBuf {
	if d < 0 {
		a.fail("negative timeout " + d.String())
	}
	if d%time.Millisecond != 0 {
		a.fail("timeout " + d.String() + " is not a whole number of milliseconds, the precision of blocking timeouts")
	}
	var tmp [32]byte
	return a.small(strconv.AppendFloat(tmp[:0], d.Seconds(), 'f', -1, 64))
}

// blockFor writes an optional BLOCK duration: BlockForever as 0.
func (a *argBuf) blockFor(d time.Duration) *argBuf {
	switch {
	case d == BlockForever:
		return a.int(0)
	case d < 0:
		a.fail("negative BLOCK " + d.String() + " (use BlockForever to block until data arrives)")
	}
	return a.millis(d)
}

// unixSeconds writes t as a Unix time in whole seconds (the callers use it
// when t is a whole second, and the milliseconds form otherwise).
func (a *argBuf) unixSeconds(t time.Time) *argBuf {
	if t.IsZero() {
		a.fail("the zero time.Time is not a Unix time")
	}
	return a.int(t.Unix())
}

// unixMillis writes t as a Unix time in milliseconds.
func (a *argBuf) unixMillis(t time.Time) *argBuf {
	if t.IsZero() {
		a.fail("the zero time.Time is not a Unix time")
	}
	return a.int(t.UnixMilli())
}

// ttl writes a relative expiry with the seconds token (EX) when d is whole
// seconds and the milliseconds token (PX) otherwise.
func (a *argBuf) ttl(d time.Duration, secondsToken, millisToken string) *argBuf {
	if wholeSeconds(d) {
		return a.str(secondsToken).int(int64(d / time.Second))
	}
	return a.str(millisToken).millis(d)
}

// deadline writes an absolute expiry with the seconds token (EXAT) when t
// is a whole second and the milliseconds token (PXAT) otherwise.
func (a *argBuf) deadline(t time.Time, secondsToken, millisToken string) *argBuf {
	if t.Nanosecond() == 0 {
		return a.str(secondsToken).unixSeconds(t)
	}
	return a.str(millisToken).unixMillis(t)
}

// manyOptions records a call with more than one options struct.
func (a *argBuf) manyOptions(n int) {
	a.fail("takes at most one options struct, got " + strconv.Itoa(n))
}
