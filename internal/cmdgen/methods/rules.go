package main

import (
	"strings"

	"github.com/fastredis/fastredis/internal/cmdgen/spec"
)

// Rules that give arguments Go types the specs do not spell out: values of
// any kind, durations and times. Each is a rule over every command (by an
// argument's name, type and group), not a list of methods; overrides.go keeps
// the few judgements a rule cannot make.

// valueNames are the names of string arguments that carry data: a value, a
// member, an element, a message, a script's argument. They take `any`
// (string, []byte, numbers, bool; fastredis/args_value.go), so callers pass
// what they have without strconv or a copy. Names, keys, IDs and patterns
// stay strings.
var valueNames = map[string]bool{
	"value": true, "member": true, "element": true, "pivot": true, "message": true,
	"arg": true, "args": true, "member1": true, "member2": true, "serialized-value": true,
}

// rangeBoundNames are the string arguments of sorted-set commands that are
// ranks, scores or lexicographic bounds ("0", "(1.5", "+inf", "[a"): `any`
// too, so ZRange(ctx, key, 0, -1) needs no strconv.
var rangeBoundNames = map[string]bool{"min": true, "max": true, "start": true, "stop": true}

// Units of durations and times (Arg.unit), and the argBuf method that
// writes each.
const (
	unitSeconds      = "s"         // whole seconds (RESTORE IDLETIME)
	unitMillis       = "ms"        // whole milliseconds (PEXPIRE, BLOCK, WAIT)
	unitSecondsFloat = "sf"        // decimal seconds (BLPOP's timeout)
	unitUnixSeconds  = "unix-s"    // Unix time in seconds
	unitUnixMillis   = "unix-ms"   // Unix time in milliseconds
	unitSecondsTwin  = "s|ms"      // seconds, or the P-command's milliseconds
	unitUnixTwin     = "unix-s|ms" // Unix seconds, or the P-command's milliseconds
	unitBlock        = "block"     // XREAD's BLOCK: 0 absent, BlockForever
)

var unitEncoders = map[string]string{
	unitSeconds: "seconds", unitMillis: "millis", unitSecondsFloat: "secondsFloat",
	unitUnixSeconds: "unixSeconds", unitUnixMillis: "unixMillis",
	unitSecondsTwin: "secondsOrMillis", unitUnixTwin: "unixSecondsOrMillis", unitBlock: "blockFor",
}

func isTimeUnit(u string) bool { return strings.HasPrefix(u, "unix") }

// applyTypeRules marks value arguments and gives durations and times their
// units, throughout a command's arguments.
func applyTypeRules(c *spec.Command, args []*Arg) {
	var walk func(args []*Arg, inBlock bool)
	walk = func(args []*Arg, inBlock bool) {
		for _, a := range args {
			switch {
			case a.Type == "string" && valueNames[a.Name]:
				a.value = true
			case a.Type == "string" && c.Group == "sorted_set" && rangeBoundNames[a.Name]:
				a.value = true
			}
			if u := durationUnit(a); u != "" && a.unit == "" {
				a.unit = u
				if a.Type == "string" {
					a.Type = "integer" // XCLAIM's min-idle-time: milliseconds
				}
			}
			walk(a.Arguments, inBlock || a.Type == "block")
		}
	}
	walk(args, false)
}

// durationUnit is the unit of an argument that is a duration or a time, by
// its name and type, or "".
func durationUnit(a *Arg) string {
	switch {
	case a.Type == "integer" && a.Name == "seconds":
		return unitSeconds
	case a.Type == "integer" && (a.Name == "milliseconds" || a.Name == "ms" || a.Name == "timeout" || a.Name == "min-idle-time"):
		// Every integer timeout (WAIT, WAITAOF, CLIENT PAUSE, MIGRATE) is in
		// milliseconds; the double ones (BLPOP) are in seconds.
		return unitMillis
	case a.Type == "string" && a.Name == "min-idle-time":
		return unitMillis
	case a.Type == "double" && a.Name == "timeout":
		return unitSecondsFloat
	case a.Type == "unix-time" && strings.HasSuffix(a.Name, "-seconds"):
		return unitUnixSeconds
	case a.Type == "unix-time" && strings.HasSuffix(a.Name, "-milliseconds"):
		return unitUnixMillis
	}
	return ""
}

// unitTwin is a command whose seconds argument has a milliseconds twin
// command (EXPIRE and PEXPIRE, EXPIREAT and PEXPIREAT, SETEX and PSETEX):
// its method takes the duration or time and sends whichever command can
// carry it.
type unitTwin struct {
	arg     *Arg   // the seconds argument
	command string // the P-command
}

// findTwin finds c's twin: the command named "P"+c.Name whose arguments are
// c's with the seconds argument in milliseconds.
func findTwin(c *spec.Command, args []*Arg, all map[string]*spec.Command) *unitTwin {
	if c.Container != "" {
		return nil
	}
	p := all["P"+c.Name]
	if p == nil || len(p.Arguments) != len(args) {
		return nil
	}
	var twin *unitTwin
	for i, a := range args {
		q := p.Arguments[i]
		switch {
		case a.unit == unitSeconds && !a.Optional && q.Name == "milliseconds":
			a.unit = unitSecondsTwin
		case a.unit == unitUnixSeconds && !a.Optional && q.Name == "unix-time-milliseconds":
			a.unit = unitUnixTwin
		default:
			if a.Name != q.Name || a.Type != q.Type {
				return nil
			}
			continue
		}
		if twin != nil {
			return nil
		}
		twin = &unitTwin{arg: a, command: p.Name}
	}
	return twin
}

// durationParamName names a required duration or time parameter after what
// it is rather than its unit: Expire(ctx, key, expiration), not seconds.
func durationParamName(a *Arg) string {
	switch a.Name {
	case "seconds", "milliseconds":
		return "Expiration"
	case "unix-time-seconds", "unix-time-milliseconds":
		return "At"
	}
	return ""
}

// pairsBlock reports whether a is a list of (name, value) pairs: HSET's and
// XADD's field-value pairs, MSET's key-value pairs, CONFIG SET's
// parameter-value pairs. Its parameter is `...any`, alternating names and
// values, as go-redis takes them (maps and FieldValues flatten into pairs).
func pairsBlock(a *Arg) bool {
	return a.Type == "block" && a.Multiple && len(a.Arguments) == 2 &&
		a.Arguments[1].value && a.Arguments[1].Name == "value" && a.Arguments[0].Type != "block"
}

// mergedExpiry is a oneof's seconds and milliseconds alternatives (EX and
// PX, or EXAT and PXAT) merged into one Go field.
type mergedExpiry struct {
	secs, millis *Arg
	field        string // "TTL" or "ExpireAt"
}

// mergeExpiries finds the pairs of alternatives a oneof merges.
func mergeExpiries(alts []*Arg) []mergedExpiry {
	var out []mergedExpiry
	find := func(unit string) *Arg {
		for _, x := range alts {
			if x.unit == unit && x.Token != "" {
				return x
			}
		}
		return nil
	}
	if s, ms := find(unitSeconds), find(unitMillis); s != nil && ms != nil {
		out = append(out, mergedExpiry{s, ms, "TTL"})
	}
	if s, ms := find(unitUnixSeconds), find(unitUnixMillis); s != nil && ms != nil {
		out = append(out, mergedExpiry{s, ms, "ExpireAt"})
	}
	return out
}
