package cluster

import "testing"

// A split of many keys (an MSET of thousands) leaves no large scratch in
// the pool, and a small one keeps its scratch for the next split; release
// clears only what the split used.
func TestSplitStateRelease(t *testing.T) {
	tests := []struct {
		name string
		keys int
		kept bool
	}{
		{"small split keeps its scratch", 10, true},
		{"at the bound", maxKeptKeys, true},
		{"large split drops it", 4 * maxKeptKeys, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ss := &splitState{
				pos:     make([]int, tt.keys),
				argvBuf: make([][]byte, 2*tt.keys),
				argvs:   make([][][]byte, 3),
				replies: make([][]byte, 3),
				errs:    make([]error, 3),
				batches: []*splitBatch{{out: make([][]byte, tt.keys), idx: make([]int, tt.keys)}},
			}
			for i := range ss.argvBuf {
				ss.argvBuf[i] = []byte("k")
			}
			b := ss.batches[0]
			for i := range b.out {
				b.out[i] = []byte("$1\r\nv\r\n")
			}
			ss.release()
			if got := ss.argvBuf != nil; got != tt.kept {
				t.Errorf("argvBuf kept = %v, want %v", got, tt.kept)
			}
			if got := b.out != nil; got != tt.kept {
				t.Errorf("batch replies kept = %v, want %v", got, tt.kept)
			}
			for i, a := range ss.argvBuf {
				if a != nil {
					t.Fatalf("argvBuf[%d] still references an argument after release", i)
				}
			}
		})
	}
}
