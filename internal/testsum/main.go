// Command testsum runs go test and prints what go test prints, followed by
// how many tests passed, failed and were skipped. make test uses it:
//
//	go run ./internal/testsum [go test flags and packages]
//
// It runs go test -json with the arguments given and renders the events as
// go test does without -v: an "ok" line per package that passes, and the
// whole output of each test that fails (and of a package that fails outside
// any test, such as a build error or a crashed test binary). The counts
// include subtests and examples. It exits with go test's exit status. The
// go command is $GO, or go in PATH.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
)

func main() {
	goCmd := os.Getenv("GO")
	if goCmd == "" {
		goCmd = "go"
	}
	cmd := exec.Command(goCmd, append([]string{"test", "-json"}, os.Args[1:]...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		fatal(err)
	}
	// A Ctrl-C reaches go test too; keep reading until it has stopped, so
	// that what ran is still reported.
	signal.Ignore(os.Interrupt)
	if err := cmd.Start(); err != nil {
		fatal(err)
	}
	s := newSummary(os.Stdout)
	readErr := s.read(out)
	waitErr := cmd.Wait()
	s.print()

	var exit *exec.ExitError
	switch {
	case errors.As(waitErr, &exit):
		os.Exit(exit.ExitCode())
	case waitErr != nil:
		fatal(waitErr)
	case readErr != nil:
		fatal(readErr)
	case s.failed > 0:
		os.Exit(1)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "testsum:", err)
	os.Exit(2)
}

// event is one line of go test -json (see go doc test2json).
type event struct {
	Action      string
	Package     string
	ImportPath  string // build-output and build-fail
	Test        string
	Output      string
	FailedBuild string
}

// summary renders events and counts tests.
type summary struct {
	w                       io.Writer
	passed, failed, skipped int
	failedPackages          int
	// output holds the lines of each test still running, and of each
	// package (key test "") until it ends.
	output map[key][]string
	// last holds each package's last line (ok, FAIL, no test files), which
	// is printed when the package ends, after any failure output.
	last map[string]string
}

type key struct{ pkg, test string }

func newSummary(w io.Writer) *summary {
	return &summary{w: w, output: make(map[key][]string), last: make(map[string]string)}
}

func (s *summary) read(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var ev event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			// Not an event (go test prints some failures as plain text).
			fmt.Fprintln(s.w, sc.Text())
			continue
		}
		s.handle(ev)
	}
	return sc.Err()
}

func (s *summary) handle(ev event) {
	k := key{ev.Package, ev.Test}
	switch ev.Action {
	case "build-output":
		fmt.Fprint(s.w, ev.Output)
	case "output":
		switch {
		case ev.Test == "" && hasPrefix(ev.Output, "ok  \t", "FAIL\t", "?   \t"):
			s.last[ev.Package] = ev.Output
		case !hasPrefix(ev.Output, "=== "): // RUN, PAUSE, CONT, NAME: -v only
			s.output[k] = append(s.output[k], ev.Output)
		}
	case "pass", "skip":
		if ev.Test != "" {
			if ev.Action == "pass" {
				s.passed++
			} else {
				s.skipped++
			}
		}
		delete(s.output, k)
		if ev.Test == "" {
			s.dropPackage(ev.Package)
			s.printLast(ev.Package)
		}
	case "fail":
		if ev.Test != "" {
			s.failed++
			s.flush(k)
			return
		}
		s.failedPackages++
		// Tests still running (a panic, a timeout), then the package's own
		// output.
		for k := range s.output {
			if k.pkg == ev.Package && k.test != "" {
				s.flush(k)
			}
		}
		s.flush(k)
		s.printLast(ev.Package)
	}
}

func hasPrefix(line string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

func (s *summary) printLast(pkg string) {
	fmt.Fprint(s.w, s.last[pkg])
	delete(s.last, pkg)
}

func (s *summary) flush(k key) {
	for _, line := range s.output[k] {
		fmt.Fprint(s.w, line)
	}
	delete(s.output, k)
}

func (s *summary) dropPackage(pkg string) {
	for k := range s.output {
		if k.pkg == pkg {
			delete(s.output, k)
		}
	}
}

// print writes the counts as a line CI runners read: "tests: N passed,
// N failed, N skipped" (subtests and examples included). With $TESTSUM_TALLY
// naming a file, the counts are also added to those kept there, and a
// "total:" line for every run so far follows (make test runs go test
// twice).
func (s *summary) print() {
	if s.failedPackages > 0 {
		fmt.Fprintf(s.w, "testsum: %d packages failed\n", s.failedPackages)
	}
	fmt.Fprintf(s.w, "tests: %d passed, %d failed, %d skipped\n", s.passed, s.failed, s.skipped)
	path := os.Getenv("TESTSUM_TALLY")
	if path == "" {
		return
	}
	var passed, failed, skipped int
	if b, err := os.ReadFile(path); err == nil {
		fmt.Sscan(string(b), &passed, &failed, &skipped)
	}
	passed, failed, skipped = passed+s.passed, failed+s.failed+s.failedPackages, skipped+s.skipped
	if err := os.WriteFile(path, fmt.Appendf(nil, "%d %d %d\n", passed, failed, skipped), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "testsum:", err)
	}
	fmt.Fprintf(s.w, "total: %d passed, %d failed, %d skipped\n", passed, failed, skipped)
}
