//go:build unix && !linux

package redistest

import "syscall"

// sysProcAttr puts the server in a process group of its own when detach is
// set. There is no parent-death signal outside Linux: a test binary that dies
// without running its cleanups leaves its servers running (unless, not
// detached, they got the same Ctrl-C).
func sysProcAttr(detach bool) *syscall.SysProcAttr {
	if !detach {
		return nil
	}
	return &syscall.SysProcAttr{Setpgid: true}
}
