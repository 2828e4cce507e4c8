package localmesos

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
)

// The stand-in keeps its log in <work_dir>/localmesos.log, as a Mesos
// master or agent started with --log_dir keeps one, and serves it at
// /master/log and /slave/log through /files. Master and agents share one
// process here, so they share the one log.

// maxLogFile bounds the log file: past it the file starts over.
const maxLogFile = 8 << 20

// logFile is the log file, written by every record at INFO and above.
type logFile struct {
	path string
	mu   sync.Mutex
	f    *os.File
	size int64
}

func openLogFile(workDir string) (*logFile, error) {
	path := filepath.Join(workDir, "localmesos.log")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &logFile{path: path, f: f, size: st.Size()}, nil
}

func (l *logFile) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.size+int64(len(p)) > maxLogFile {
		if err := l.f.Truncate(0); err == nil {
			l.size = 0
		}
	}
	n, err := l.f.Write(p)
	l.size += int64(n)
	return n, err
}

func (l *logFile) Close() error { return l.f.Close() }

// teeHandler sends each record to two handlers: the caller's logger and
// the log file.
type teeHandler struct{ a, b slog.Handler }

func (t teeHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return t.a.Enabled(ctx, l) || t.b.Enabled(ctx, l)
}

func (t teeHandler) Handle(ctx context.Context, r slog.Record) error {
	var err error
	if t.a.Enabled(ctx, r.Level) {
		err = t.a.Handle(ctx, r.Clone())
	}
	if t.b.Enabled(ctx, r.Level) {
		if e := t.b.Handle(ctx, r); err == nil {
			err = e
		}
	}
	return err
}

func (t teeHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return teeHandler{t.a.WithAttrs(as), t.b.WithAttrs(as)}
}

func (t teeHandler) WithGroup(name string) slog.Handler {
	return teeHandler{t.a.WithGroup(name), t.b.WithGroup(name)}
}
