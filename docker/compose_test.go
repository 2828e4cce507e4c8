package docker_test

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// loadCompose loads a compose file the way docker compose does, with every
// profile enabled and no variables from this machine's environment, so the
// defaults written in the file are what gets checked.
func loadCompose(t *testing.T, name string) *types.Project {
	t.Helper()
	dir := filepath.Join(repoRoot(t), "docker")
	opts, err := cli.NewProjectOptions(
		[]string{filepath.Join(dir, name)},
		cli.WithWorkingDirectory(dir),
		cli.WithName("mesosnb"),
		cli.WithProfiles([]string{"*"}),
	)
	if err != nil {
		t.Fatalf("compose options for %s: %v", name, err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("loading %s: %v", name, err)
	}
	return p
}

// env returns a service's environment variable, "" when unset.
func env(s types.ServiceConfig, name string) string {
	if v := s.Environment[name]; v != nil {
		return *v
	}
	return ""
}

// checkEnv compares a service's environment with want, naming each mismatch.
func checkEnv(t *testing.T, s types.ServiceConfig, want map[string]string) {
	t.Helper()
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if got := env(s, k); got != want[k] {
			t.Errorf("service %s: %s=%q, want %q", s.Name, k, got, want[k])
		}
	}
}

// flags parses a --name=value command line into a map.
func flags(cmd types.ShellCommand) map[string]string {
	m := map[string]string{}
	for _, a := range cmd {
		name, value, _ := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		m[name] = value
	}
	return m
}

// bindMount finds the bind mount of a service onto target.
func bindMount(s types.ServiceConfig, target string) (types.ServiceVolumeConfig, bool) {
	for _, v := range s.Volumes {
		if v.Target == target && v.Type == types.VolumeTypeBind {
			return v, true
		}
	}
	return types.ServiceVolumeConfig{}, false
}

func serviceNames(p *types.Project) []string {
	names := slices.Collect(maps.Keys(p.Services))
	sort.Strings(names)
	return names
}

// checkCommon holds for every service of both compose files: a pinned image,
// and for those that `up` starts (no profile) host networking, so that what
// Mesos advertises is reachable from this machine.
func checkCommon(t *testing.T, p *types.Project) {
	t.Helper()
	for _, name := range serviceNames(p) {
		s := p.Services[name]
		if len(s.Profiles) == 0 && s.NetworkMode != "host" {
			t.Errorf("service %s: network_mode %q, want host", name, s.NetworkMode)
		}
		if len(s.Ports) > 0 {
			t.Errorf("service %s publishes ports, which host networking ignores", name)
		}
		if why := pinnedImage(s.Image); why != "" {
			t.Errorf("service %s: image %q is not pinned: %s", name, s.Image, why)
		}
		if s.Build != nil {
			df := filepath.Join(s.Build.Context, s.Build.Dockerfile)
			if _, err := os.Stat(df); err != nil {
				t.Errorf("service %s builds from %s: %v", name, df, err)
			}
		}
	}
}

func TestComposeRealCluster(t *testing.T) {
	p := loadCompose(t, "compose.yaml")
	if got, want := serviceNames(p), []string{"agent", "jupyter", "master", "zookeeper"}; !slices.Equal(got, want) {
		t.Fatalf("compose.yaml services %v, want %v", got, want)
	}
	checkCommon(t, p)
	zk, master, agent, jupyter := p.Services["zookeeper"], p.Services["master"], p.Services["agent"], p.Services["jupyter"]

	t.Run("zookeeper", func(t *testing.T) {
		if repo, _, _ := strings.Cut(zk.Image, ":"); repo != "zookeeper" {
			t.Errorf("zookeeper image %q, want the official zookeeper image", zk.Image)
		}
		if got := env(zk, "ZOO_SERVERS"); !strings.HasSuffix(got, ";"+cluster.Loopback+":"+cluster.ZKPort) {
			t.Errorf("ZOO_SERVERS=%q: want the client port %s on %s", got, cluster.ZKPort, cluster.Loopback)
		}
		checkEnv(t, zk, map[string]string{"ZOO_ADMINSERVER_ENABLED": "false"})
		targets := map[string]bool{}
		for _, v := range zk.Volumes {
			if v.Type == types.VolumeTypeVolume {
				targets[v.Target] = true
			}
		}
		for _, dir := range []string{"/data", "/datalog"} {
			if !targets[dir] {
				t.Errorf("zookeeper: no named volume on %s, so its state dies with the container", dir)
			}
		}
		if zk.HealthCheck == nil {
			t.Error("zookeeper has no healthcheck, so the master may start before it answers")
		}
	})

	t.Run("master", func(t *testing.T) {
		if !slices.Equal(master.Entrypoint, types.ShellCommand{"mesos-master"}) {
			t.Errorf("master entrypoint %v, want [mesos-master]", master.Entrypoint)
		}
		checkEnv(t, master, map[string]string{
			"MESOS_IP":       cluster.Loopback,
			"MESOS_HOSTNAME": cluster.Loopback,
			"MESOS_PORT":     cluster.MasterPort,
			"MESOS_ZK":       composeZK,
			"MESOS_QUORUM":   "1",
		})
		if d, ok := master.DependsOn["zookeeper"]; !ok || d.Condition != types.ServiceConditionHealthy {
			t.Errorf("master must wait for a healthy zookeeper, has depends_on %v", master.DependsOn)
		}
		hasVolume := slices.ContainsFunc(master.Volumes, func(v types.ServiceVolumeConfig) bool {
			return v.Target == env(master, "MESOS_WORK_DIR") && v.Type == types.VolumeTypeVolume
		})
		if !hasVolume {
			t.Errorf("master: no volume on its work dir %q (the replicated log)", env(master, "MESOS_WORK_DIR"))
		}
	})

	t.Run("agent", func(t *testing.T) {
		if agent.Image != master.Image {
			t.Errorf("agent image %q differs from master image %q: one Mesos version", agent.Image, master.Image)
		}
		if !slices.Equal(agent.Entrypoint, types.ShellCommand{"mesos-agent"}) {
			t.Errorf("agent entrypoint %v, want [mesos-agent]", agent.Entrypoint)
		}
		checkEnv(t, agent, map[string]string{
			"MESOS_MASTER":                 composeZK,
			"MESOS_IP":                     cluster.Loopback,
			"MESOS_HOSTNAME":               cluster.Loopback,
			"MESOS_PORT":                   cluster.AgentPort,
			"MESOS_CONTAINERIZERS":         "docker,mesos",
			"MESOS_LAUNCHER":               "posix",
			"MESOS_ISOLATION":              "posix/cpu,posix/mem",
			"MESOS_SYSTEMD_ENABLE_SUPPORT": "false",
			"MESOS_ATTRIBUTES":             cluster.Attributes,
			"MESOS_RESOURCES":              cluster.Resources,
			"MESOS_DOCKER_SOCKET":          "/var/run/docker.sock",
		})
		if v, ok := bindMount(agent, "/var/run/docker.sock"); !ok || v.Source != "/var/run/docker.sock" {
			t.Error("agent does not mount the host's /var/run/docker.sock, so Docker tasks cannot start")
		}
		work := env(agent, "MESOS_WORK_DIR")
		if v, ok := bindMount(agent, work); !ok || v.Source != work {
			t.Errorf("agent work dir %q must be bound at the same path on the host: the host engine mounts task sandboxes from it", work)
		}
		if agent.Pid != "host" {
			t.Errorf("agent pid %q, want host: the Docker containerizer reads /proc of the task containers", agent.Pid)
		}
	})

	t.Run("jupyter", func(t *testing.T) {
		if jupyter.Build == nil {
			t.Fatal("jupyter is not built from docker/jupyter/Dockerfile")
		}
		if jupyter.Build.Context != repoRoot(t) {
			t.Errorf("jupyter build context %s, want the repository root (it copies go.mod, pkg, notebooks)", jupyter.Build.Context)
		}
		if jupyter.Build.Dockerfile != "docker/jupyter/Dockerfile" {
			t.Errorf("jupyter Dockerfile %q, want docker/jupyter/Dockerfile", jupyter.Build.Dockerfile)
		}
		checkEnv(t, jupyter, map[string]string{"MESOS_MASTER": composeZK, "JUPYTER_PORT": "8888"})
		if _, ok := bindMount(jupyter, "/home/gopher/mesosnb/notebooks"); !ok {
			t.Error("jupyter does not mount ../notebooks, so edits would die with the container")
		}
	})

	for _, name := range []string{"zookeeper-data", "zookeeper-datalog", "master-work"} {
		if _, ok := p.Volumes[name]; !ok {
			t.Errorf("compose.yaml does not declare volume %s", name)
		}
	}
}

func TestComposeOffline(t *testing.T) {
	p := loadCompose(t, "compose.offline.yaml")
	if got, want := serviceNames(p), []string{"demo-site", "localmesos"}; !slices.Equal(got, want) {
		t.Fatalf("compose.offline.yaml services %v, want %v", got, want)
	}
	checkCommon(t, p)
	for _, name := range serviceNames(p) {
		s := p.Services[name]
		if s.Build == nil {
			t.Errorf("service %s has no build section: with no registry its image cannot come from anywhere else", name)
			continue
		}
		context, err := filepath.Rel(repoRoot(t), s.Build.Context)
		if err != nil {
			t.Fatal(err)
		}
		df := parseDockerfile(t, filepath.Join(context, s.Build.Dockerfile))
		if !slices.Equal(df.from, []string{"scratch"}) {
			t.Errorf("service %s: Dockerfile FROM %v, want only scratch (nothing to pull)", name, df.from)
		}
	}

	lm := p.Services["localmesos"]
	if !strings.HasPrefix(lm.Image, "mesosnb/localmesos:") {
		t.Errorf("localmesos image %q, want mesosnb/localmesos:<tag>", lm.Image)
	}
	got := flags(lm.Command)
	for flag, want := range map[string]string{
		"master-addr": cluster.Loopback + ":" + cluster.MasterPort,
		"agent-addr":  cluster.Loopback + ":" + cluster.AgentPort,
		"runner":      "docker",
		"resources":   cluster.Resources,
		"attributes":  cluster.Attributes,
	} {
		if got[flag] != want {
			t.Errorf("localmesos --%s=%q, want %q", flag, got[flag], want)
		}
	}
	if v, ok := bindMount(lm, "/var/run/docker.sock"); !ok || v.Source != "/var/run/docker.sock" {
		t.Error("localmesos does not mount /var/run/docker.sock: its docker runner talks to the engine through it")
	}

	ds := p.Services["demo-site"]
	if ds.Image != "mesosnb/demo-site:dev" {
		t.Errorf("demo-site image %q, want mesosnb/demo-site:dev (the tag the notebooks launch)", ds.Image)
	}
	if len(ds.Profiles) == 0 {
		t.Error("demo-site has no profile, so `up` would start it as a service; it is only an image for tasks")
	}
}
