package mesostest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// ErrNotInstalled means no runnable Mesos was found. Errors that wrap it
// say where the package looked and the command that gets one.
var ErrNotInstalled = errors.New("mesostest: no runnable Mesos 1.11")

// ErrNoDocker means Options.Docker asked for the Docker containerizer and
// no Docker engine answers.
var ErrNoDocker = errors.New("mesostest: no Docker engine answers")

// InstallCommand gets a Mesos where this package looks for one by default:
// run in the repository, it checks and unpacks ../shared/mesos's tarball
// into DefaultHome and installs the Debian packages its README lists
// (.ci/mesos.sh does the work; MESOS_SHARED=folder points elsewhere).
const InstallCommand = "make mesos"

// Install is one Mesos installation: where its daemons and the folders
// they need are.
type Install struct {
	// Home is the installation's prefix (bin/, sbin/, libexec/, share/).
	Home string
	// Master and Agent are the mesos-master and mesos-agent binaries.
	Master, Agent string
	// LauncherDir holds mesos-executor and mesos-docker-executor (the
	// agent's --launcher_dir); empty when not found.
	LauncherDir string
	// WebUIDir is the master's --webui_dir; empty when not found.
	WebUIDir string
	// Version is what mesos-master --version says, such as "mesos 1.11.0".
	Version string
	// From says how it was found: "MESOS_HOME", "PATH" or "default".
	From string
}

// DefaultHome is where InstallCommand unpacks Mesos, and the last place
// Find looks: $XDG_CACHE_HOME/mesosnb/mesos-1.11.0, else
// ~/.cache/mesosnb/mesos-1.11.0.
func DefaultHome() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "mesosnb", "mesos-1.11.0")
}

// found caches Find: the look costs a process start.
var found struct {
	sync.Mutex
	env     string // the MESOS_HOME and PATH it was made for
	install *Install
	err     error
}

// Find looks for Mesos in MESOS_HOME (a folder with sbin/mesos-master),
// then on PATH (where AVENTER's aventer-mesos package puts mesos-master
// and mesos-agent), then in DefaultHome, and checks that mesos-master
// runs. The error wraps ErrNotInstalled and names the command to run.
func Find() (*Install, error) {
	key := os.Getenv("MESOS_HOME") + "\x00" + os.Getenv("PATH")
	found.Lock()
	defer found.Unlock()
	if found.install == nil && found.err == nil || found.env != key {
		found.env = key
		found.install, found.err = find()
	}
	return found.install, found.err
}

func find() (*Install, error) {
	var in *Install
	if home := os.Getenv("MESOS_HOME"); home != "" {
		master := filepath.Join(home, "sbin", "mesos-master")
		if _, err := os.Stat(master); err != nil {
			return nil, fmt.Errorf("%w: MESOS_HOME=%s has no sbin/mesos-master; set it to the folder that holds sbin/, or unset it and run: %s", ErrNotInstalled, home, InstallCommand)
		}
		in = layout(home, master, "MESOS_HOME")
	} else if master, err := exec.LookPath("mesos-master"); err == nil {
		if real, err := filepath.EvalSymlinks(master); err == nil {
			master = real
		}
		// /usr/sbin/mesos-master -> prefix /usr; bin/ or sbin/ alike.
		in = layout(filepath.Dir(filepath.Dir(master)), master, "PATH")
	} else if master := filepath.Join(DefaultHome(), "sbin", "mesos-master"); fileExists(master) {
		in = layout(DefaultHome(), master, "default")
	} else {
		return nil, fmt.Errorf("%w: MESOS_HOME is not set, mesos-master is not on PATH and %s does not exist; run: %s%s",
			ErrNotInstalled, DefaultHome(), InstallCommand, tarballHint())
	}
	if !fileExists(in.Agent) {
		return nil, fmt.Errorf("%w: %s has no mesos-agent beside it", ErrNotInstalled, in.Master)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, in.Master, "--version").CombinedOutput()
	if err != nil {
		msg := strings.TrimSpace(string(out))
		if strings.Contains(msg, "shared libraries") {
			return nil, fmt.Errorf("%w: %s does not start (%s); install its run-time packages: %s (or the apt-get line of ../shared/mesos/README.md)",
				ErrNotInstalled, in.Master, msg, InstallCommand)
		}
		return nil, fmt.Errorf("%w: %s --version: %v: %s", ErrNotInstalled, in.Master, err, msg)
	}
	in.Version = strings.TrimSpace(string(out))
	return in, nil
}

// layout fills in an Install from its prefix: the agent beside the
// master, executors in libexec/mesos, the web UI in share/mesos/webui.
func layout(home, master, from string) *Install {
	in := &Install{Home: home, Master: master, Agent: filepath.Join(filepath.Dir(master), "mesos-agent"), From: from}
	for _, d := range []string{filepath.Join(home, "libexec", "mesos"), filepath.Join(home, "lib", "mesos")} {
		if fileExists(filepath.Join(d, "mesos-executor")) {
			in.LauncherDir = d
			break
		}
	}
	if d := filepath.Join(home, "share", "mesos", "webui"); fileExists(d) {
		in.WebUIDir = d
	}
	return in
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// tarballHint names the tarball InstallCommand would unpack, when the
// repository's ../shared/mesos has one.
func tarballHint() string {
	root, err := repoRoot()
	if err != nil {
		return ""
	}
	matches, _ := filepath.Glob(filepath.Join(root, "..", "shared", "mesos", "mesos-1.11.0-*.tar.xz"))
	if len(matches) == 0 {
		return fmt.Sprintf(" in %s with MESOS_SHARED=<folder with mesos-1.11.0-*.tar.xz> (%s has none); or install AVENTER's aventer-mesos; or set MESOS_HOME",
			root, filepath.Clean(filepath.Join(root, "..", "shared", "mesos")))
	}
	return fmt.Sprintf(" in %s (it unpacks %s)", root, filepath.Clean(matches[0]))
}
