//go:build !unix

package redistest

import "syscall"

// sysProcAttr has nothing to add where there are no process groups and no
// parent-death signal.
func sysProcAttr(bool) *syscall.SysProcAttr { return nil }
