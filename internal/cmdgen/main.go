// Command cmdgen reads the Redis command specs (one JSON file per command or
// subcommand, as found in the Redis source tree under src/commands) and writes
// the command table of package internal/keyspec: key positions, command
// flags and the command tips cluster routing reads (request and response
// policies).
//
// Run it from the repository root:
//
//	go run ./internal/cmdgen -specs ../shared/redis-commands -out internal/keyspec/table_gen.go
//
// or through the go:generate directive in internal/keyspec (go generate ./...).
// The specs are data kept outside the repository; only the generated file is
// committed. The output depends on the specs alone (no paths, no time stamps),
// is sorted by full command name and is gofmt-formatted, so regenerating from
// the same specs reproduces the file byte for byte.
//
// The specs are loaded by package internal/cmdgen/spec, shared with the
// method generator (internal/cmdgen/methods). The generator is strict: a spec
// with an unknown begin_search or find_keys type or an unknown field inside a
// key spec (refused by the loader), or with a command flag, key spec flag or
// command tip keyspec has no constant for, with two request or response
// policies, or with a value that the key finder cannot use safely (a step
// below 1, a limit with a lastkey other than -1, ...; see check.go) stops it with an error naming the command, so a spec update that
// needs new code in keyspec cannot slip through silently.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/fastredis/fastredis/internal/cmdgen/spec"
)

func main() {
	specs := flag.String("specs", "../shared/redis-commands", "directory holding the Redis command spec JSON files")
	out := flag.String("out", "internal/keyspec/table_gen.go", "the Go file to write")
	flag.Parse()
	if flag.NArg() != 0 {
		fmt.Fprintf(os.Stderr, "cmdgen: unexpected arguments %q\n", flag.Args())
		flag.Usage()
		os.Exit(2)
	}
	src, err := generate(*specs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cmdgen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "cmdgen:", err)
		os.Exit(1)
	}
}

// generate loads the specs of dir, checks that keyspec supports them and
// renders table_gen.go.
func generate(dir string) ([]byte, error) {
	cmds, err := spec.LoadDir(dir)
	if err != nil {
		return nil, err
	}
	if err := checkSupported(cmds); err != nil {
		return nil, err
	}
	return render(cmds)
}
