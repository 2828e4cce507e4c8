package mesostest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"sort"
	"syscall"
	"time"
)

// StartDaemon starts one mesos-master (role "master") or mesos-agent
// (role "agent") with exactly the flags given, as the MESOS_<FLAG>
// environment variables a systemd EnvironmentFile or a compose file's
// environment gives it, with its log and (unless MESOS_WORK_DIR says
// otherwise) work folder in dir/role. MESOS_IP and MESOS_PORT must be
// among the flags: they are where it serves. It returns once GET /health
// answers; call Stop when done.
//
// It is for tests of deployment files; Start and StartProcess choose the
// flags themselves. Mesos ignores MESOS_* variables that name no flag, so
// such a test should compare the daemon's GET /flags with what it gave.
func StartDaemon(ctx context.Context, dir, role string, flags map[string]string) (*Process, error) {
	in, err := Find()
	if err != nil {
		return nil, err
	}
	binary, stop, grace := in.Master, syscall.SIGTERM, 5*time.Second
	switch role {
	case "master":
	case "agent":
		binary, stop, grace = in.Agent, syscall.SIGUSR1, 15*time.Second
	default:
		return nil, fmt.Errorf("mesostest: role %q: want master or agent", role)
	}
	if flags["MESOS_IP"] == "" || flags["MESOS_PORT"] == "" {
		return nil, errors.New("mesostest: StartDaemon needs MESOS_IP and MESOS_PORT")
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("mesostest: %w", err)
	}
	p, err := newProcess(dir, role, binary, stop, grace, func(int) []string { return nil })
	if err != nil {
		return nil, err
	}
	for _, k := range sortedKeys(flags) {
		p.env = append(p.env, k+"="+flags[k])
	}
	p.Addr = net.JoinHostPort(flags["MESOS_IP"], flags["MESOS_PORT"])
	p.URL = "http://" + p.Addr
	if err := p.start(ctx, func(ctx context.Context) error { return waitHealthy(ctx, p.URL) }); err != nil {
		return nil, err
	}
	return p, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
