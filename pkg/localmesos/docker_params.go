package localmesos

// DockerInfo.parameters: the docker run options a task may pass, each
// translated to the Engine API field the docker CLI would set.

import (
	"errors"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// dockerParameter applies one DockerInfo parameter (a docker run option,
// without its dashes) to the container's configuration.
type dockerParameter func(cfg *dockerContainerConfig, value string) error

// dockerParameters are the docker run options a task may pass as
// DockerInfo.parameters. Mesos hands them to the docker CLI as --key=value;
// here each one is translated to the Engine API field the CLI would set.
// Anything else is refused by name rather than dropped, so a task never
// runs differently from what it asked for without saying so.
var dockerParameters = map[string]dockerParameter{
	"env":        paramEnv,
	"e":          paramEnv,
	"label":      paramLabel,
	"l":          paramLabel,
	"v":          paramVolume,
	"volume":     paramVolume,
	"workdir":    paramWorkdir,
	"w":          paramWorkdir,
	"user":       paramUser,
	"u":          paramUser,
	"hostname":   paramHostname,
	"h":          paramHostname,
	"entrypoint": func(cfg *dockerContainerConfig, v string) error { cfg.Entrypoint = []string{v}; return nil },
	"stop-signal": func(cfg *dockerContainerConfig, v string) error {
		cfg.StopSignal = v
		return nil
	},
	"add-host": func(cfg *dockerContainerConfig, v string) error {
		cfg.HostConfig.ExtraHosts = append(cfg.HostConfig.ExtraHosts, v)
		return nil
	},
	"cap-add": func(cfg *dockerContainerConfig, v string) error {
		cfg.HostConfig.CapAdd = append(cfg.HostConfig.CapAdd, v)
		return nil
	},
	"cap-drop": func(cfg *dockerContainerConfig, v string) error {
		cfg.HostConfig.CapDrop = append(cfg.HostConfig.CapDrop, v)
		return nil
	},
	"dns": func(cfg *dockerContainerConfig, v string) error {
		cfg.HostConfig.DNS = append(cfg.HostConfig.DNS, v)
		return nil
	},
	"dns-search": func(cfg *dockerContainerConfig, v string) error {
		cfg.HostConfig.DNSSearch = append(cfg.HostConfig.DNSSearch, v)
		return nil
	},
	"dns-opt":    paramDNSOption,
	"dns-option": paramDNSOption,
	"security-opt": func(cfg *dockerContainerConfig, v string) error {
		cfg.HostConfig.SecurityOpt = append(cfg.HostConfig.SecurityOpt, v)
		return nil
	},
	"sysctl": func(cfg *dockerContainerConfig, v string) error {
		k, val, ok := strings.Cut(v, "=")
		if !ok {
			return errors.New("want name=value")
		}
		if cfg.HostConfig.Sysctls == nil {
			cfg.HostConfig.Sysctls = map[string]string{}
		}
		cfg.HostConfig.Sysctls[k] = val
		return nil
	},
	"tmpfs": func(cfg *dockerContainerConfig, v string) error {
		path, opts, _ := strings.Cut(v, ":")
		if cfg.HostConfig.Tmpfs == nil {
			cfg.HostConfig.Tmpfs = map[string]string{}
		}
		cfg.HostConfig.Tmpfs[path] = opts
		return nil
	},
	"log-driver": func(cfg *dockerContainerConfig, v string) error {
		if cfg.HostConfig.LogConfig == nil {
			cfg.HostConfig.LogConfig = &dockerLogConfig{}
		}
		cfg.HostConfig.LogConfig.Type = v
		return nil
	},
	"log-opt": func(cfg *dockerContainerConfig, v string) error {
		k, val, ok := strings.Cut(v, "=")
		if !ok {
			return errors.New("want name=value")
		}
		if cfg.HostConfig.LogConfig == nil {
			cfg.HostConfig.LogConfig = &dockerLogConfig{}
		}
		if cfg.HostConfig.LogConfig.Config == nil {
			cfg.HostConfig.LogConfig.Config = map[string]string{}
		}
		cfg.HostConfig.LogConfig.Config[k] = val
		return nil
	},
	"init": func(cfg *dockerContainerConfig, v string) error {
		b, err := strconv.ParseBool(v)
		cfg.HostConfig.Init = &b
		return err
	},
	"read-only": func(cfg *dockerContainerConfig, v string) error {
		b, err := strconv.ParseBool(v)
		cfg.HostConfig.ReadonlyRootfs = b
		return err
	},
	"privileged": func(cfg *dockerContainerConfig, v string) error {
		b, err := strconv.ParseBool(v)
		cfg.HostConfig.Privileged = b
		return err
	},
	"memory": paramMemory,
	"m":      paramMemory,
	"memory-reservation": func(cfg *dockerContainerConfig, v string) error {
		return setBytes(&cfg.HostConfig.MemoryReservation, v)
	},
	"shm-size":   func(cfg *dockerContainerConfig, v string) error { return setBytes(&cfg.HostConfig.ShmSize, v) },
	"cpu-shares": paramCPUShares,
	"c":          paramCPUShares,
	"cpu-quota": func(cfg *dockerContainerConfig, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		cfg.HostConfig.CPUQuota = n
		return err
	},
	"cpus": func(cfg *dockerContainerConfig, v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 {
			return errors.New("want a number of CPUs, such as 1.5")
		}
		cfg.HostConfig.NanoCPUs = int64(f * 1e9)
		return nil
	},
	"pid": func(cfg *dockerContainerConfig, v string) error { cfg.HostConfig.PidMode = v; return nil },
	"ipc": func(cfg *dockerContainerConfig, v string) error { cfg.HostConfig.IpcMode = v; return nil },
	"ulimit": func(cfg *dockerContainerConfig, v string) error {
		name, limits, ok := strings.Cut(v, "=")
		if !ok {
			return errors.New("want name=soft[:hard]")
		}
		softS, hardS, hasHard := strings.Cut(limits, ":")
		soft, err := strconv.ParseInt(softS, 10, 64)
		if err != nil {
			return errors.New("want name=soft[:hard]")
		}
		hard := soft
		if hasHard {
			if hard, err = strconv.ParseInt(hardS, 10, 64); err != nil {
				return errors.New("want name=soft[:hard]")
			}
		}
		cfg.HostConfig.Ulimits = append(cfg.HostConfig.Ulimits, dockerUlimit{Name: name, Soft: soft, Hard: hard})
		return nil
	},
	"device": func(cfg *dockerContainerConfig, v string) error {
		parts := strings.Split(v, ":")
		d := dockerDevice{PathOnHost: parts[0], PathInContainer: parts[0], CgroupPermissions: "rwm"}
		if len(parts) > 1 && parts[1] != "" {
			d.PathInContainer = parts[1]
		}
		if len(parts) > 2 {
			d.CgroupPermissions = parts[2]
		}
		cfg.HostConfig.Devices = append(cfg.HostConfig.Devices, d)
		return nil
	},
}

// dockerParameterNames lists the parameters dockerParameters knows, for the
// message refusing another one.
func dockerParameterNames() []string {
	names := make([]string, 0, len(dockerParameters))
	for k := range dockerParameters {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// paramEnv is --env NAME=value, or --env NAME to pass the variable from the
// environment of whoever runs docker (here localmesos), as the CLI does.
func paramEnv(cfg *dockerContainerConfig, v string) error {
	if v == "" {
		return errors.New("want NAME=value")
	}
	if !strings.Contains(v, "=") {
		val, ok := os.LookupEnv(v)
		if !ok {
			return nil
		}
		v += "=" + val
	}
	// Replace rather than append: with a name twice, which one the task
	// sees would be up to its libc.
	k, _, _ := strings.Cut(v, "=")
	for i, kv := range cfg.Env {
		if strings.HasPrefix(kv, k+"=") {
			cfg.Env[i] = v
			return nil
		}
	}
	cfg.Env = append(cfg.Env, v)
	return nil
}

// paramVolume is --volume host:container[:mode], or a path alone for an
// anonymous volume.
func paramVolume(cfg *dockerContainerConfig, v string) error {
	if !strings.Contains(v, ":") {
		if cfg.Volumes == nil {
			cfg.Volumes = map[string]struct{}{}
		}
		cfg.Volumes[v] = struct{}{}
		return nil
	}
	cfg.HostConfig.Binds = append(cfg.HostConfig.Binds, v)
	return nil
}

// paramWorkdir is --workdir.
func paramWorkdir(cfg *dockerContainerConfig, v string) error { cfg.WorkingDir = v; return nil }

// paramUser is --user.
func paramUser(cfg *dockerContainerConfig, v string) error { cfg.User = v; return nil }

// paramHostname is --hostname.
func paramHostname(cfg *dockerContainerConfig, v string) error { cfg.Hostname = v; return nil }

// paramLabel is --label key=value (or a bare key, with an empty value).
func paramLabel(cfg *dockerContainerConfig, v string) error {
	k, val, _ := strings.Cut(v, "=")
	if k == "" {
		return errors.New("want key=value")
	}
	cfg.Labels[k] = val
	return nil
}

// paramDNSOption is --dns-opt (--dns-option since Docker 1.13).
func paramDNSOption(cfg *dockerContainerConfig, v string) error {
	cfg.HostConfig.DNSOptions = append(cfg.HostConfig.DNSOptions, v)
	return nil
}

// paramMemory is --memory, which overrides the limit the mem resource set.
func paramMemory(cfg *dockerContainerConfig, v string) error {
	return setBytes(&cfg.HostConfig.Memory, v)
}

// paramCPUShares is --cpu-shares, which overrides what the cpus resource set.
func paramCPUShares(cfg *dockerContainerConfig, v string) error {
	n, err := strconv.ParseInt(v, 10, 64)
	cfg.HostConfig.CPUShares = n
	return err
}

// bytesPattern is the docker CLI's size syntax: 512m, 1g, 1.5GB, 1024.
var bytesPattern = regexp.MustCompile(`^(\d+(?:\.\d+)?) ?([kKmMgGtTpP])?[iI]?[bB]?$`)

// setBytes parses a size as the docker CLI does (units are powers of 1024).
func setBytes(dst *int64, v string) error {
	m := bytesPattern.FindStringSubmatch(v)
	if m == nil {
		return errors.New("want a size such as 512m or 1g")
	}
	f, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return errors.New("want a size such as 512m or 1g")
	}
	if m[2] != "" {
		f *= math.Pow(1024, float64(strings.Index("kmgtp", strings.ToLower(m[2]))+1))
	}
	*dst = int64(f)
	return nil
}
