//go:build unix && !linux

package main

import "syscall"

// sysProcAttr puts the local redis-server in its own process group, so a
// Ctrl-C at the terminal reaches loadgen alone, which then prints its summary
// and stops the server itself.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
