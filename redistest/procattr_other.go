//go:build !linux

package redistest

import "syscall"

// sysProcAttr has nothing to add outside Linux: there is no parent-death
// signal, so a test binary that dies without running its cleanups leaves its
// servers running.
func sysProcAttr() *syscall.SysProcAttr { return nil }
