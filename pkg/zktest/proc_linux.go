package zktest

import "syscall"

// sysProcAttr makes the kernel kill the JVM when the process that started
// it dies, so a test binary that panics or times out leaves no ZooKeeper
// behind.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
