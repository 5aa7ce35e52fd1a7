package main

import (
	"errors"
	"fmt"

	"github.com/fastredis/fastredis/internal/cmdgen/spec"
)

// checkSupported returns an error for the first command that keyspec cannot
// represent or whose key specs its key finder cannot use safely, so that a
// spec update needing new code in keyspec stops the generator.
func checkSupported(cmds []*spec.Command) error {
	for _, c := range cmds {
		if err := checkCommand(c); err != nil {
			return fmt.Errorf("%s: command %q: %w", c.File, c.FullName(), err)
		}
	}
	return nil
}

func checkCommand(c *spec.Command) error {
	for _, f := range c.CommandFlags {
		if _, ok := commandFlagIdent[f]; !ok {
			return fmt.Errorf("unknown command flag %q: add it to cmdgen (commandFlags) and keyspec (Flag)", f)
		}
	}
	if err := checkTips(c); err != nil {
		return err
	}
	if c.HasSubcommands && len(c.KeySpecs) > 0 {
		return errors.New("a container with key specs; keyspec does not support that")
	}
	for i, ks := range c.KeySpecs {
		if err := checkKeySpec(ks); err != nil {
			return fmt.Errorf("key_specs[%d]: %w", i, err)
		}
	}
	return nil
}

func checkKeySpec(ks spec.KeySpec) error {
	for _, f := range ks.Flags {
		if _, ok := keyFlagIdent[f]; !ok {
			return fmt.Errorf("unknown key spec flag %q: add it to cmdgen (keyFlags) and keyspec (KeyFlag)", f)
		}
	}
	switch bs := ks.BeginSearch; bs.Type {
	case spec.BeginIndex:
		if bs.Pos < 1 {
			return fmt.Errorf("begin_search: index: pos %d below 1", bs.Pos)
		}
	case spec.BeginKeyword:
		if bs.StartFrom == 0 {
			return errors.New("begin_search: keyword: startfrom 0")
		}
	}
	switch fk := ks.FindKeys; fk.Type {
	case spec.FindRange:
		if fk.Step < 1 {
			return fmt.Errorf("find_keys: range: step %d below 1", fk.Step)
		}
		if fk.Limit < 0 || (fk.Limit > 0 && fk.LastKey != -1) {
			// Redis asserts lastkey == -1 whenever limit is set.
			return fmt.Errorf("find_keys: range: limit %d with lastkey %d", fk.Limit, fk.LastKey)
		}
	case spec.FindKeynum:
		if fk.KeyNumIdx < 0 || fk.FirstKey <= fk.KeyNumIdx || fk.Step < 1 {
			return fmt.Errorf("find_keys: keynum: keynumidx %d, firstkey %d, step %d", fk.KeyNumIdx, fk.FirstKey, fk.Step)
		}
	}
	return nil
}
