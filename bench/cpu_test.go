package bench

import (
	"syscall"
	"testing"
	"time"
)

// cpuClock measures the CPU time (user + system) the benchmark process
// spends, the servers being other processes: reported per operation as
// cpu-ns/op beside ns/op, it is what a client costs its host, which
// wall-clock time at high parallelism hides.
type cpuClock struct{ start time.Duration }

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPU() cpuClock { return cpuClock{start: processCPU()} }

// report adds cpu-ns/op to b's results.
func (c cpuClock) report(b *testing.B) {
	if b.N > 0 {
		b.ReportMetric(float64(processCPU()-c.start)/float64(b.N), "cpu-ns/op")
	}
}
