package mesostest

import "syscall"

// sysProcAttr makes the kernel kill a daemon when the process that
// started it dies, so a test binary that panics or times out leaves no
// master or agent behind.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
