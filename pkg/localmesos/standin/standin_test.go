package standin_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mesosnb/mesosnb/internal/testenv"
	"github.com/mesosnb/mesosnb/pkg/localmesos/standin"
)

// TestStandInThatExitsAtStart: a stand-in that exits at once is reported
// with what it said, never announced as started; one whose address is
// taken is refused before it starts, naming the address.
func TestStandInThatExitsAtStart(t *testing.T) {
	t.Setenv(standin.EnvSessionDir, t.TempDir())
	broken := filepath.Join(t.TempDir(), "localmesos")
	script := "#!/bin/sh\necho 'localmesos: zk://127.0.0.1:1/mesos: ZooKeeper unreachable' >&2\nexit 1\n"
	if err := os.WriteFile(broken, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv(standin.EnvLocalMesos, broken)
	_, err := standin.Start(context.Background(), "exits", "--master-addr="+testenv.Addr(t))
	if err == nil || !strings.Contains(err.Error(), "exited at start") || !strings.Contains(err.Error(), "ZooKeeper unreachable") {
		t.Fatalf("Start of a stand-in that exits: %v", err)
	}
	if _, ok := standin.Find("exits"); ok {
		t.Error("the stand-in that exited is found running")
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = standin.Start(context.Background(), "taken", "--master-addr="+ln.Addr().String())
	if err == nil || !strings.Contains(err.Error(), ln.Addr().String()) {
		t.Fatalf("Start on a taken address: %v", err)
	}
}
