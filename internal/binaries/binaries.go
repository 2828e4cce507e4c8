// Package binaries gives the notebooks the project's own programs
// (mesos-listener, localmesos, ...) without a shell command: a program is
// built from this module's source the first time a cell needs it, cached
// in the user's cache folder under a hash of its source, and rebuilt when
// the source changes.
//
//	bin, err := binaries.Path(ctx, "mesos-listener", "MESOSNB_LISTENER")
//
// An environment variable naming a built program wins, for installs
// without the source (the compose file's Jupyter image, say).
package binaries

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"
)

// Path finds one of the project's programs (cmd/<name>): $env when set,
// else one built from this module's source into the user's cache, rebuilt
// when the source changes. A cell never needs a shell command to get it.
// The cache keeps the current build and the one before it (a listener
// still running may use that one); older builds are removed.
func Path(ctx context.Context, name, env string) (string, error) {
	if p := os.Getenv(env); p != "" {
		return p, nil
	}
	root, err := moduleRoot(name, env)
	if err != nil {
		return "", err
	}
	key, err := sourceKey(root, name)
	if err != nil {
		return "", err
	}
	dir, err := binDir()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, name+"-"+key)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	// One build at a time in this process: the temporary name is per
	// process, and sessions started together (a workshop's attendees, a
	// test's) would otherwise build into the same file.
	building.Lock()
	defer building.Unlock()
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp := fmt.Sprintf("%s.%d.tmp", bin, os.Getpid())
	cmd := exec.CommandContext(ctx, "go", "build", "-o", tmp, "./cmd/"+name)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("build %s in %s: %v\n%s", name, root, err, out)
	}
	if err := os.Rename(tmp, bin); err != nil {
		return "", err
	}
	pruneBuilds(dir, name, bin)
	return bin, nil
}

var building sync.Mutex

// binDir is where built programs are cached: <user cache dir>/mesosnb/bin.
func binDir() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	return filepath.Join(cache, "mesosnb", "bin"), nil
}

// pruneBuilds removes the builds of name but current and the newest
// other one. Removing a running program's file is safe on Unix: it runs on.
func pruneBuilds(dir, name, current string) {
	entries, _ := os.ReadDir(dir)
	type build struct {
		path string
		mod  time.Time
	}
	var others []build
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if p == current || !strings.HasPrefix(e.Name(), name+"-") || strings.HasSuffix(e.Name(), ".tmp") {
			continue
		}
		if fi, err := e.Info(); err == nil {
			others = append(others, build{p, fi.ModTime()})
		}
	}
	slices.SortFunc(others, func(a, b build) int { return b.mod.Compare(a.mod) })
	for i, b := range others {
		if i >= 1 {
			os.Remove(b.path)
		}
	}
}

// moduleRoot is where this module's source is: two levels above this
// file, or the replace directory a notebook's go.mod points at.
func moduleRoot(name, env string) (string, error) {
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		root := filepath.Dir(filepath.Dir(filepath.Dir(file)))
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			return root, nil
		}
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == modulePath && d.Replace != nil && filepath.IsAbs(d.Replace.Path) {
				return d.Replace.Path, nil
			}
		}
	}
	return "", fmt.Errorf("cannot find the source of %s to build %s: set %s to a built %s", modulePath, name, env, name)
}

const modulePath = "github.com/mesosnb/mesosnb"

// sourceKey hashes what cmd/<name> is built from (Go version, go.mod,
// go.sum, the .go files under pkg, internal and cmd/<name>: names, sizes and times),
// so a changed source gets a fresh binary.
func sourceKey(root, name string) (string, error) {
	h := sha256.New()
	fmt.Fprintln(h, runtime.Version())
	for _, dir := range []string{"pkg", "internal", filepath.Join("cmd", name)} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return err
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			fmt.Fprintln(h, p, fi.Size(), fi.ModTime().UnixNano())
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	for _, f := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}
