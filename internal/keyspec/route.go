package keyspec

// RouteInfo is what a cluster client needs to know about a command before it
// looks at the arguments: where it goes and how the replies merge.
type RouteInfo struct {
	Request  RequestPolicy  // which nodes: its slot's shard, all nodes, all shards, split by slot
	Response ResponsePolicy // how the replies of several nodes make one
	// ReadOnly is the READONLY command flag: the command only reads data,
	// so a client that allows it may send it to a replica of the slot's
	// shard (after READONLY on that connection).
	ReadOnly bool
	// Keyless is set when the command has no argument that is hashed to a
	// slot: no key spec (not even a NOT_KEY one, like SPUBLISH's channel)
	// and no get-keys function. Without a fan-out policy it may go to any
	// node. A command that is not keyless may still have no keys in a given
	// argv (EVAL script 0); ArgvSlot tells.
	Keyless bool
}

// Route returns the routing data of the command.
func (c *Command) Route() RouteInfo {
	return RouteInfo{
		Request:  c.Request,
		Response: c.Response,
		ReadOnly: c.Flags&FlagReadonly != 0,
		Keyless:  c.Keyless(),
	}
}

// Keyless reports whether the command has no key spec at all (counting
// NOT_KEY ones, which are hashed like keys) and no get-keys function: no
// argument of it decides a slot. Unlike !HasKeys, SPUBLISH is not keyless.
func (c *Command) Keyless() bool { return len(c.KeySpecs) == 0 && c.GetKeysFunc == "" }

// Route returns the routing data of the command argv invokes: argv[0], or
// for a container with a second argument, the subcommand argv[1], ignoring
// case. Its only error is ErrUnknownCommand; it does not check the arity
// (ArgvSlot does). It allocates nothing.
func Route[T Arg](argv []T) (RouteInfo, error) {
	e, err := lookup(argv)
	if err != nil {
		return RouteInfo{}, err
	}
	return e.cmd.Route(), nil
}

// LookupCommand returns the command name, or with sub not empty, the
// subcommand sub of the container name, ignoring case: ("get", ""),
// ("CLIENT", "KILL"). It is for code that already knows the command, such as
// generated methods; it allocates nothing and the result points into the
// shared table (read-only). A sub for a command without subcommands, or an
// unknown name or sub, returns false.
func LookupCommand(name, sub string) (*Command, bool) {
	if len(name) > maxNameLen {
		return nil, false
	}
	var buf [maxNameLen]byte
	n := copyUpper(buf[:], name)
	e := index[string(buf[:n])]
	if e == nil {
		return nil, false
	}
	if sub == "" {
		return e.cmd, true
	}
	if !e.cmd.HasSubcommands || n+1+len(sub) > maxNameLen {
		return nil, false
	}
	buf[n] = ' '
	n += 1 + copyUpper(buf[n+1:], sub)
	e = index[string(buf[:n])]
	if e == nil {
		return nil, false
	}
	return e.cmd, true
}
