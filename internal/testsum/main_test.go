package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A stream of go test -json events with a pass, a skip, a subtest, a failing
// test with its output, and a package that fails to build.
const events = `{"Action":"start","Package":"a"}
{"Action":"run","Package":"a","Test":"TestOK"}
{"Action":"output","Package":"a","Test":"TestOK","Output":"=== RUN   TestOK\n"}
{"Action":"pass","Package":"a","Test":"TestOK"}
{"Action":"run","Package":"a","Test":"TestOK/sub"}
{"Action":"pass","Package":"a","Test":"TestOK/sub"}
{"Action":"skip","Package":"a","Test":"TestSkipped"}
{"Action":"output","Package":"a","Output":"ok  \ta\t0.1s\n"}
{"Action":"pass","Package":"a"}
{"Action":"run","Package":"b","Test":"TestBad"}
{"Action":"output","Package":"b","Test":"TestBad","Output":"    b_test.go:9: boom\n"}
{"Action":"fail","Package":"b","Test":"TestBad"}
{"Action":"output","Package":"b","Output":"FAIL\tb\t0.2s\n"}
{"Action":"fail","Package":"b"}
{"ImportPath":"c","Action":"build-output","Output":"c/c.go:1: syntax error\n"}
{"Action":"fail","Package":"c","FailedBuild":"c"}
`

func TestSummary(t *testing.T) {
	tally := filepath.Join(t.TempDir(), "tally")
	t.Setenv("TESTSUM_TALLY", tally)
	for run, wantTotal := range []string{"total: 2 passed, 3 failed, 1 skipped", "total: 4 passed, 6 failed, 2 skipped"} {
		var out strings.Builder
		s := newSummary(&out)
		if err := s.read(strings.NewReader(events)); err != nil {
			t.Fatal(err)
		}
		s.print()
		got := out.String()
		for _, want := range []string{
			"ok  \ta\t0.1s\n",
			"    b_test.go:9: boom\nFAIL\tb\t0.2s\n",
			"c/c.go:1: syntax error\n",
			"testsum: 2 packages failed\n",
			"tests: 2 passed, 1 failed, 1 skipped\n",
			wantTotal + "\n",
		} {
			if !strings.Contains(got, want) {
				t.Errorf("run %d: output lacks %q:\n%s", run, want, got)
			}
		}
		if strings.Contains(got, "=== RUN") {
			t.Errorf("run %d: -v lines in the output:\n%s", run, got)
		}
		if !strings.HasSuffix(got, wantTotal+"\n") {
			t.Errorf("run %d: the total is not the last line:\n%s", run, got)
		}
	}
	if _, err := os.Stat(tally); err != nil {
		t.Errorf("tally file: %v", err)
	}
}
