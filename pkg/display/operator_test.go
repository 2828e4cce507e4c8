package display_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mesosnb/mesosnb/pkg/display"
	"github.com/mesosnb/mesosnb/pkg/localmesos"
	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/operator"
)

// A board that ran out its time ends quietly; one whose master went away
// says so, with the next step, instead of leaving a table that looks
// complete.
func TestOperatorEventsSaysWhenTheStreamBreaks(t *testing.T) {
	never := func(mesos.OperatorEvent) bool { return false }
	t.Run("deadline", func(t *testing.T) {
		srv := newMaster(t)
		out := captureStdout(t, func() { display.OperatorEvents(subscribe(t, srv), 300*time.Millisecond, never) })
		if !strings.Contains(out, "SUBSCRIBED") || strings.Contains(out, "ended early") {
			t.Fatalf("want the table and no complaint, got:\n%s", out)
		}
	})
	t.Run("master gone", func(t *testing.T) {
		srv := newMaster(t)
		stream := subscribe(t, srv)
		time.AfterFunc(300*time.Millisecond, func() { srv.Close() })
		out := captureStdout(t, func() { display.OperatorEvents(stream, 30*time.Second, never) })
		if !strings.Contains(out, "ended early") || !strings.Contains(out, `"Health and version" cell`) {
			t.Fatalf("want the early end and the next step, got:\n%s", out)
		}
	})
}

func newMaster(t *testing.T) *localmesos.Server {
	t.Helper()
	srv, err := localmesos.New(localmesos.Config{Runner: "simulated"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func subscribe(t *testing.T, srv *localmesos.Server) *operator.Stream {
	t.Helper()
	op, err := operator.New(operator.Config{Master: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	stream, err := op.Subscribe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return stream
}

func captureStdout(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	var buf bytes.Buffer
	copied := make(chan struct{})
	go func() { io.Copy(&buf, r); close(copied) }()
	f()
	os.Stdout = old
	w.Close()
	<-copied
	return buf.String()
}
