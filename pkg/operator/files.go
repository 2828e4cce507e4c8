package operator

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// Reading files: a task's sandbox (its stdout and stderr) on its agent,
// the master's and agents' logs, through LIST_FILES and READ_FILE. Both
// the master client and the agent client have them; sandboxes are on the
// agents.

// SandboxPath is the path an agent serves an executor's sandbox at:
// /frameworks/<framework>/executors/<executor>/runs/latest. A command or
// Docker task is its own executor, so for one of those
//
//	operator.SandboxPath(task.FrameworkID, task.TaskID.Value) + "/stdout"
//
// is its standard output (the executor's id for a task group's tasks).
func SandboxPath(framework mesos.FrameworkID, executor string) string {
	return "/frameworks/" + framework.Value + "/executors/" + executor + "/runs/latest"
}

// MaxRead is the most one READ_FILE returns (Mesos reads 16 pages at a
// time); read a larger file in chunks, or with ReadAll.
const MaxRead = 64 << 10

// FollowInterval is how often Follow looks for more.
var FollowInterval = 500 * time.Millisecond

// readFunc is a READ_FILE call, the master's or an agent's.
type readFunc func(ctx context.Context, path string, offset uint64, length *uint64) (*mesos.ReadFileResponse, error)

// readFile is ReadFile for both clients: a negative length reads as much
// as one call gives.
func readFile(ctx context.Context, read readFunc, path string, offset, length int64) (*mesos.ReadFileResponse, error) {
	if offset < 0 {
		return nil, fmt.Errorf("READ_FILE %s: offset %d: want 0 or more", path, offset)
	}
	var l *uint64
	if length >= 0 {
		u := uint64(length)
		l = &u
	}
	return read(ctx, path, uint64(offset), l)
}

// readAll reads a whole file, chunk after chunk, up to limit bytes.
func readAll(ctx context.Context, read readFunc, path string, limit int) ([]byte, error) {
	var out []byte
	for {
		r, err := read(ctx, path, uint64(len(out)), nil)
		if err != nil {
			return out, err
		}
		out = append(out, r.Data...)
		if len(r.Data) == 0 || uint64(len(out)) >= r.Size {
			return out, nil
		}
		if len(out) > limit {
			return out[:limit], fmt.Errorf("READ_FILE %s: %d bytes, more than the %d asked for", path, r.Size, limit)
		}
	}
}

// follow is Follow for both clients.
func follow(ctx context.Context, read readFunc, path string, offset int64) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		if offset < 0 {
			zero := uint64(0)
			r, err := read(ctx, path, 0, &zero)
			if err != nil {
				yield(nil, err)
				return
			}
			offset = int64(r.Size)
		}
		t := time.NewTicker(FollowInterval)
		defer t.Stop()
		for {
			r, err := read(ctx, path, uint64(offset), nil)
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				yield(nil, err)
				return
			case len(r.Data) > 0:
				offset += int64(len(r.Data))
				if !yield(r.Data, nil) {
					return
				}
				continue // there may be more at once
			case int64(r.Size) < offset:
				offset = 0 // truncated, as tail -f notices
				continue
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}
}

// ListFiles lists a folder the master serves: /master/log. Sandboxes are
// on agents (see Agent). LIST_FILES.
func (c *Client) ListFiles(ctx context.Context, path string) ([]mesos.FileInfo, error) {
	r, err := get(ctx, c, mesos.OperatorCall{Type: mesos.ListFiles, ListFiles: &mesos.ListFilesCall{Path: path}}, func(r *mesos.OperatorResponse) *mesos.ListFilesResponse {
		if r.ListFiles == nil && r.Type == mesos.ListFiles {
			return &mesos.ListFilesResponse{} // an empty folder
		}
		return r.ListFiles
	})
	if err != nil {
		return nil, err
	}
	return r.FileInfos, nil
}

// ReadFile reads at most length bytes (a negative length: as many as one
// read gives, MaxRead) of a file the master serves, from offset. READ_FILE.
func (c *Client) ReadFile(ctx context.Context, path string, offset, length int64) (*mesos.ReadFileResponse, error) {
	return readFile(ctx, c.read, path, offset, length)
}

// Follow yields what is appended to a file the master serves, the way
// tail -f does, from offset (negative: from its end now) until ctx ends.
func (c *Client) Follow(ctx context.Context, path string, offset int64) iter.Seq2[[]byte, error] {
	return follow(ctx, c.read, path, offset)
}

func (c *Client) read(ctx context.Context, path string, offset uint64, length *uint64) (*mesos.ReadFileResponse, error) {
	return get(ctx, c, mesos.OperatorCall{Type: mesos.ReadFile, ReadFile: &mesos.ReadFileCall{Path: path, Offset: offset, Length: length}}, func(r *mesos.OperatorResponse) *mesos.ReadFileResponse { return r.ReadFile })
}

// Sandbox is what an executor's sandbox holds of its output: where the
// agent serves it, and the start of its stdout and stderr.
type Sandbox struct {
	// Agent is the agent's base URL.
	Agent string
	// Path is the sandbox's path as the agent serves it (SandboxPath).
	Path string
	// Stdout and Stderr are each file's size and its first bytes, at most
	// MaxRead.
	Stdout, Stderr mesos.ReadFileResponse
}

// ReadSandbox reads the start of an executor's stdout and stderr, with one
// READ_FILE each: for a command or Docker task, its own output (its
// executor's id is the task's).
func (a *AgentClient) ReadSandbox(ctx context.Context, framework mesos.FrameworkID, executor string) (Sandbox, error) {
	sb := Sandbox{Agent: a.URL, Path: SandboxPath(framework, executor)}
	for _, f := range []struct {
		name string
		into *mesos.ReadFileResponse
	}{{"stdout", &sb.Stdout}, {"stderr", &sb.Stderr}} {
		r, err := a.ReadFile(ctx, sb.Path+"/"+f.name, 0, -1)
		if err != nil {
			return sb, fmt.Errorf("read the %s of executor %s on agent %s: %w", f.name, executor, a.URL, err)
		}
		*f.into = *r
	}
	return sb, nil
}
