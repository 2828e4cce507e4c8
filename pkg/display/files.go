package display

import (
	"fmt"
	"strings"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
	"github.com/mesosnb/mesosnb/pkg/operator"
)

// What an agent's own API answers: its containers, the files of a
// sandbox, and what a task wrote in it.

// maxLines is how many lines of a file FileText shows: its last ones.
const maxLines = 20

// Sandbox shows where a task's sandbox is and what its stdout and stderr
// hold.
func Sandbox(sb operator.Sandbox) {
	fmt.Printf("sandbox %s on agent %s\n", sb.Path, sb.Agent)
	FileText("stdout", &sb.Stdout)
	FileText("stderr", &sb.Stderr)
}

// FileText shows a file READ_FILE read: how much of it, then its last
// lines (maxLines), indented.
func FileText(name string, r *mesos.ReadFileResponse) {
	text := strings.TrimRight(string(r.Data), "\n")
	switch {
	case r.Size == 0:
		fmt.Printf("%s: empty\n", name)
		return
	case uint64(len(r.Data)) < r.Size:
		fmt.Printf("%s: the first %d of %d bytes:\n", name, len(r.Data), r.Size)
	default:
		fmt.Printf("%s, %d bytes:\n", name, r.Size)
	}
	lines := strings.Split(text, "\n")
	if n := len(lines); n > maxLines {
		fmt.Printf("  … (%d lines before)\n", n-maxLines)
		lines = lines[n-maxLines:]
	}
	for _, l := range lines {
		fmt.Println("  " + l)
	}
}

// FilesTable lists a folder LIST_FILES answered for.
func FilesTable(dir string, files []mesos.FileInfo) Table {
	t := Table{Title: fmt.Sprintf("LIST_FILES %s: %d entries", dir, len(files)), Empty: "an empty folder",
		Header: []string{"name", "size", "kind", "modified"}}
	for _, f := range files {
		kind, mtime := "file", ""
		if f.IsDir() {
			kind = "folder"
		}
		if f.Mtime != nil {
			mtime = time.Unix(0, f.Mtime.Nanoseconds).Local().Format("15:04:05")
		}
		t.Rows = append(t.Rows, []string{strings.TrimPrefix(f.Path, dir+"/"), fmt.Sprint(f.Size), kind, mtime})
	}
	return t
}

// ContainersTable lists an agent's containers (GET_CONTAINERS): whose
// executor each runs, its limits ("none" when the agent enforces none)
// and what it uses.
func ContainersTable(cs []mesos.Container) Table {
	t := Table{Title: fmt.Sprintf("%d container(s)", len(cs)), Empty: "no containers",
		Header: []string{"container", "executor", "framework", "cpus limit", "mem limit MB", "mem used MB"}}
	for _, c := range cs {
		exec, fw := "", ""
		if c.ExecutorID != nil {
			exec = c.ExecutorID.Value
		}
		if c.FrameworkID != nil {
			fw = shortID(c.FrameworkID.Value)
		}
		limit, lmem, rss := "none", "none", ""
		if s := c.ResourceStatistics; s != nil {
			if s.CPUsLimit > 0 {
				limit = fmt.Sprintf("%g", s.CPUsLimit)
			}
			if s.MemLimitBytes > 0 {
				lmem = megabytes(s.MemLimitBytes)
			}
			rss = megabytes(s.MemRSSBytes)
		}
		t.Rows = append(t.Rows, []string{shortID(c.ContainerID.Value), exec, fw, limit, lmem, rss})
	}
	return t
}

func megabytes(b uint64) string {
	if b == 0 {
		return ""
	}
	return fmt.Sprintf("%.1f", float64(b)/(1<<20))
}
