package main

import "syscall"

// sysProcAttr puts the local redis-server in its own process group, so a
// Ctrl-C at the terminal reaches loadgen alone (which then prints its summary
// and stops the server itself), and has the kernel SIGKILL the server when
// the thread that started it ends, so it never outlives a killed loadgen.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
