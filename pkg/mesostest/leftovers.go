package mesostest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// RemoveLeftovers ends what Mesos agents working in dir (their work_dir,
// or a folder above it) started and left behind, and nothing else:
// executor processes whose working folder is in dir (an executor runs in
// its sandbox) and Docker containers named mesos-* with a volume from dir
// (the Docker containerizer mounts the sandbox into each). An agent
// stopped with SIGUSR1 leaves none; one that was killed, or a Docker task
// whose container outlived its executor, does. Cluster.Stop calls it.
func RemoveLeftovers(dir string) {
	dir = filepath.Clean(dir) + string(filepath.Separator)
	killProcessesIn(dir)
	removeContainersOf(dir)
}

// killProcessesIn kills, by pid, the processes working in dir.
func killProcessesIn(dir string) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return // not Linux: nothing to find this way
	}
	self := os.Getpid()
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
		if err != nil || !strings.HasPrefix(cwd+string(filepath.Separator), dir) {
			continue
		}
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// removeContainersOf removes the mesos-* containers that mount something
// from dir.
func removeContainersOf(dir string) {
	docker, err := exec.LookPath("docker")
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, docker, "ps", "-aq", "--filter", "name=^/mesos-").Output()
	if err != nil {
		return
	}
	ids := strings.Fields(string(out))
	if len(ids) == 0 {
		return
	}
	args := append([]string{"inspect", "--format", "{{.Id}}{{range .Mounts}} {{.Source}}{{end}}"}, ids...)
	out, _ = exec.CommandContext(ctx, docker, args...).Output() // a container may be gone meanwhile
	var ours []string
	for _, line := range strings.Split(string(out), "\n") {
		fields := strings.Fields(line)
		for _, src := range fields[min(1, len(fields)):] {
			if strings.HasPrefix(src+string(filepath.Separator), dir) {
				ours = append(ours, fields[0])
				break
			}
		}
	}
	if len(ours) > 0 {
		_ = exec.CommandContext(ctx, docker, append([]string{"rm", "-f"}, ours...)...).Run()
	}
}
