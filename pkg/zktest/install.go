package zktest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// InstallCommand is the command that installs what this package needs on
// Debian or Ubuntu: the zookeeper package brings the server jars and, through
// default-jre, Java.
const InstallCommand = "sudo apt-get install -y zookeeper"

// ErrNotInstalled means java or the ZooKeeper jars were not found. Errors
// that wrap it say what is missing and how to install it.
var ErrNotInstalled = errors.New("zktest: ZooKeeper is not installed")

// debianJars is where Debian's libzookeeper-java and libslf4j-java put
// their jars. zookeeper.jar's manifest lists its own dependencies;
// slf4j-simple is added so the server's log lines reach the log file instead
// of slf4j's "no binding" warning.
var debianJars = []string{"/usr/share/java/zookeeper.jar", "/usr/share/java/slf4j-simple.jar"}

// Installed reports whether a ZooKeeper server can be started here: nil, or
// an error wrapping ErrNotInstalled that names what is missing.
//
// Java is taken from $JAVA_HOME/bin/java, else from PATH. The classpath is
// Debian's, unless ZKTEST_CLASSPATH is set (for a ZooKeeper unpacked from an
// Apache tarball, set it to "<dir>/lib/*").
func Installed() error {
	_, _, err := locate()
	return err
}

// locate finds the java binary and the server classpath.
func locate() (java, classpath string, err error) {
	java = "java"
	if home := os.Getenv("JAVA_HOME"); home != "" {
		java = filepath.Join(home, "bin", "java")
	}
	java, err = exec.LookPath(java)
	if err != nil {
		return "", "", fmt.Errorf("%w: no java (%v); install it with: %s", ErrNotInstalled, err, InstallCommand)
	}
	if cp := os.Getenv("ZKTEST_CLASSPATH"); cp != "" {
		return java, cp, nil
	}
	if _, err := os.Stat(debianJars[0]); err != nil {
		return "", "", fmt.Errorf("%w: no %s; install it with: %s", ErrNotInstalled, debianJars[0], InstallCommand)
	}
	jars := debianJars[:1]
	if _, err := os.Stat(debianJars[1]); err == nil {
		jars = debianJars
	}
	return java, strings.Join(jars, string(os.PathListSeparator)), nil
}
