package redistest

import "syscall"

// sysProcAttr makes the kernel SIGKILL the server when the thread that
// started it ends, which is when the test binary dies: a test binary killed
// by -timeout or by a signal runs no cleanups, and its servers must not
// outlive it. Unless detach is set, the server stays in our process group,
// so Ctrl-C reaches it too.
func sysProcAttr(detach bool) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: detach}
}
