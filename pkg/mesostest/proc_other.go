//go:build !linux

package mesostest

import "syscall"

// sysProcAttr has nothing to add outside Linux, which alone offers a
// parent-death signal; there, call Stop (or let Start's cleanup do it).
func sysProcAttr() *syscall.SysProcAttr {
	return nil
}
