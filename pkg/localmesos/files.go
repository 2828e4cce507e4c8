package localmesos

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// files is what libprocess' files process (src/files/files.cpp) is to a
// Mesos master or agent: real files and folders attached at virtual paths,
// and the reads of them that /files/browse, /files/read, /files/download,
// /files/debug and the LIST_FILES and READ_FILE calls make. A path is
// served only below something attached: a task's sandbox, /slave/log.
type files struct {
	mu    sync.RWMutex
	paths map[string]string // virtual path -> real path
}

func newFiles() *files { return &files{paths: map[string]string{}} }

// maxRead is the most one read returns, as libprocess' (16 pages): a
// client reads a larger file in chunks.
const maxRead = 16 * 4096

// filesError is a failed look-up: 400 for a path that escapes what is
// attached, 404 (with an empty body, as Mesos answers) for one that does
// not exist, 500 for a file that cannot be opened.
type filesError struct {
	code int
	msg  string
}

func (e *filesError) Error() string { return e.msg }

var errFileNotFound = &filesError{code: http.StatusNotFound}

// attach serves real (resolved as realpath(3) does) at virtual, with one
// trailing slash dropped, as FilesProcess::attach does.
func (f *files) attach(real, virtual string) error {
	resolved, err := realpath(real)
	if err != nil {
		return fmt.Errorf("Failed to get realpath of '%s': %w", real, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.paths[strings.TrimSuffix(virtual, "/")] = resolved
	return nil
}

// attachReal is attach for a real path known to be one (no links on the
// way): a sandbox below the agent's resolved work folder. It saves the
// dozens of lstat calls resolving it would cost per task.
func (f *files) attachReal(real string, virtuals ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, v := range virtuals {
		f.paths[strings.TrimSuffix(v, "/")] = real
	}
}

func (f *files) detach(virtual string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.paths, virtual)
}

// resolve is FilesProcess::resolve: the longest attached prefix of the
// path, then the rest of the path below it. A folder's content must stay
// inside it once symbolic links and ".." are resolved; below an attached
// file there is nothing.
func (f *files) resolve(path string) (string, *filesError) {
	path = strings.TrimPrefix(path, "file://")
	tokens := strings.Split(strings.TrimSuffix(path, "/"), "/")
	f.mu.RLock()
	defer f.mu.RUnlock()
	var suffix []string
	for len(tokens) > 0 {
		prefix := joinPath(tokens...)
		real, ok := f.paths[prefix]
		if !ok {
			suffix = append([]string{tokens[len(tokens)-1]}, suffix...)
			tokens = tokens[:len(tokens)-1]
			continue
		}
		st, err := os.Stat(real)
		if err != nil || !st.IsDir() {
			if len(suffix) > 0 {
				return "", errFileNotFound
			}
			return real, nil
		}
		full := strings.TrimSuffix(real, "/") + "/" + strings.TrimPrefix(joinPath(suffix...), "/")
		resolved, err := realpath(full)
		switch {
		case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
			return "", errFileNotFound
		case err != nil:
			return "", &filesError{http.StatusBadRequest, fmt.Sprintf("Failed to determine canonical path of '%s': %v.\n", full, err)}
		case !strings.HasPrefix(resolved, real):
			// A string prefix, as Mesos compares: the quirk is theirs.
			return "", &filesError{http.StatusBadRequest, fmt.Sprintf("'%s' is inaccessible.\n", full)}
		}
		return resolved, nil
	}
	return "", errFileNotFound
}

// joinPath is stout's path::join over a list: one slash between each two
// parts, whatever slashes they end or begin with (one of each is dropped).
func joinPath(parts ...string) string {
	if len(parts) == 0 {
		return ""
	}
	out := parts[0]
	for _, p := range parts[1:] {
		out = strings.TrimSuffix(out, "/") + "/" + strings.TrimPrefix(p, "/")
	}
	return out
}

// realpath is realpath(3): absolute, symbolic links and ".." resolved, and
// an error when something on the way does not exist.
func realpath(p string) (string, error) {
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", err
	}
	return filepath.Abs(r)
}

// fileInfo is a FileInfo: what stat(2) says of one entry, and the path it
// was asked by.
type fileInfo struct {
	path     string
	nlink    uint64
	size     int64
	mtime    int64 // whole seconds, as Mesos keeps them
	mode     uint32
	uid, gid string
}

// browse lists a folder, sorted by path; a file lists nothing, as in Mesos.
func (f *files) browse(path string) ([]fileInfo, *filesError) {
	path = strings.TrimPrefix(path, "file://")
	real, ferr := f.resolve(path)
	if ferr != nil {
		return nil, ferr
	}
	entries, _ := os.ReadDir(real)
	out := []fileInfo{}
	for _, e := range entries {
		var st syscall.Stat_t
		if syscall.Stat(filepath.Join(real, e.Name()), &st) != nil {
			continue // gone meanwhile: Mesos skips it too
		}
		out = append(out, fileInfo{
			path: joinPath(path, e.Name()), nlink: st.Nlink, size: st.Size, mtime: st.Mtim.Sec,
			mode: st.Mode, uid: userName(st.Uid), gid: groupName(st.Gid),
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out, nil
}

// read reads at most maxRead bytes at offset (length nil: to the end) and
// gives the file's size. Past the end it reads nothing.
func (f *files) read(path string, offset uint64, length *uint64) (int64, []byte, *filesError) {
	real, ferr := f.resolve(path)
	if ferr != nil {
		return 0, nil, ferr
	}
	if st, err := os.Stat(real); err == nil && st.IsDir() {
		return 0, nil, &filesError{http.StatusBadRequest, "Cannot read a directory.\n"}
	}
	file, err := os.Open(real)
	if err != nil {
		return 0, nil, &filesError{http.StatusInternalServerError, fmt.Sprintf("Failed to open file at '%s': %v.\n", real, err)}
	}
	defer file.Close()
	size, err := file.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, nil, &filesError{http.StatusInternalServerError, fmt.Sprintf("Failed to open file at '%s': %v.\n", real, err)}
	}
	if offset >= uint64(size) {
		return size, nil, nil
	}
	n := uint64(size) - offset
	if length != nil {
		n = *length
	}
	n = min(n, maxRead)
	if n == 0 {
		return size, nil, nil
	}
	buf := make([]byte, n)
	got, err := file.ReadAt(buf, int64(offset))
	if err != nil && !errors.Is(err, io.EOF) {
		return 0, nil, &filesError{http.StatusInternalServerError, fmt.Sprintf("Failed to read file at '%s': %v", real, err)}
	}
	return size, buf[:got], nil
}

// serve answers /files/browse, /files/read, /files/download and
// /files/debug (endpoint is what follows /files/), in libprocess' words.
func (f *files) serve(w http.ResponseWriter, r *http.Request, endpoint string) {
	q := r.URL.Query()
	path := q.Get("path")
	if endpoint == "debug" {
		f.mu.RLock()
		keys := sortedStrings(f.paths)
		var b []byte
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(appendStoutString(b, k), ':')
			b = appendStoutString(b, f.paths[k])
		}
		f.mu.RUnlock()
		writeJSON(w, r, append(b, '}'))
		return
	}
	if endpoint != "browse" && endpoint != "read" && endpoint != "download" {
		plain(w, http.StatusNotFound, textNotFound)
		return
	}
	if path == "" {
		plain(w, http.StatusBadRequest, "Expecting 'path=value' in query.\n")
		return
	}
	switch endpoint {
	case "browse":
		list, ferr := f.browse(path)
		if ferr != nil {
			plain(w, ferr.code, ferr.msg)
			return
		}
		b := []byte{'['}
		for i, fi := range list {
			if i > 0 {
				b = append(b, ',')
			}
			b = fi.appendJSON(b)
		}
		writeJSON(w, r, append(b, ']'))
	case "read":
		f.serveRead(w, r, path)
	case "download":
		real, ferr := f.resolve(path)
		if ferr == errFileNotFound {
			plain(w, http.StatusNotFound, textNotFound)
			return
		}
		if ferr != nil {
			plain(w, ferr.code, ferr.msg)
			return
		}
		if st, err := os.Stat(real); err == nil && st.IsDir() {
			plain(w, http.StatusBadRequest, "Cannot download a directory.\n")
			return
		}
		ct := "application/octet-stream"
		if t, ok := mimeTypes[filepath.Ext(real)]; ok {
			ct = t
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Disposition", "attachment; filename="+filepath.Base(real))
		http.ServeFile(w, r, real)
	}
}

// serveRead is /files/read: offset and length as stout's numify reads
// them, -1 meaning "no offset, just the size" and "to the end".
func (f *files) serveRead(w http.ResponseWriter, r *http.Request, path string) {
	q := r.URL.Query()
	offset := int64(-1)
	if q.Has("offset") {
		n, err := numify(q.Get("offset"))
		if err != nil {
			plain(w, http.StatusBadRequest, "Failed to parse offset: "+err.Error()+".\n")
			return
		}
		if n < -1 {
			plain(w, http.StatusBadRequest, fmt.Sprintf("Negative offset provided: %d.\n", n))
			return
		}
		offset = n
	}
	var length *uint64
	if q.Has("length") {
		n, err := numify(q.Get("length"))
		if err != nil {
			plain(w, http.StatusBadRequest, "Failed to parse length: "+err.Error()+".\n")
			return
		}
		if n < -1 {
			plain(w, http.StatusBadRequest, fmt.Sprintf("Negative length provided: %d.\n", n))
			return
		}
		if n > -1 {
			u := uint64(n)
			length = &u
		}
	}
	from := uint64(max(offset, 0))
	if offset == -1 {
		zero := uint64(0)
		length = &zero
	}
	size, data, ferr := f.read(path, from, length)
	if ferr != nil {
		plain(w, ferr.code, ferr.msg)
		return
	}
	shown := offset
	if offset == -1 {
		shown = size
	}
	b := append([]byte(`{"data":`), appendStoutString(nil, string(data))...)
	b = append(b, `,"offset":`...)
	b = strconv.AppendInt(b, shown, 10)
	writeJSON(w, r, append(b, '}'))
}

// numify is stout's numify<long>: a decimal integer with an optional
// sign, or a hexadecimal one after 0x.
func numify(s string) (int64, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	neg, hex := false, s
	if h, ok := strings.CutPrefix(hex, "-"); ok {
		neg, hex = true, h
	}
	if h, ok := strings.CutPrefix(strings.ToLower(hex), "0x"); ok {
		if n, err := strconv.ParseInt(h, 16, 64); err == nil {
			if neg {
				n = -n
			}
			return n, nil
		}
	}
	return 0, fmt.Errorf("Failed to convert '%s' to number", s)
}

// appendJSON writes the entry as /files/browse does (sorted keys, the mode
// as ls -l shows it, mtime in seconds).
func (fi fileInfo) appendJSON(b []byte) []byte {
	b = append(b, `{"gid":`...)
	b = appendStoutString(b, fi.gid)
	b = append(b, `,"mode":`...)
	b = appendStoutString(b, modeString(fi.mode))
	b = fmt.Appendf(b, `,"mtime":%d.0,"nlink":%d,"path":`, fi.mtime, fi.nlink)
	b = appendStoutString(b, fi.path)
	b = fmt.Appendf(b, `,"size":%d,"uid":`, fi.size)
	b = appendStoutString(b, fi.uid)
	return append(b, '}')
}

// proto is the entry as LIST_FILES answers it (a FileInfo message).
func (fi fileInfo) proto() mesos.FileInfo {
	return mesos.FileInfo{Path: fi.path, Nlink: int32(fi.nlink), Size: uint64(fi.size),
		Mtime: &mesos.TimeInfo{Nanoseconds: fi.mtime * 1e9}, Mode: fi.mode, UID: fi.uid, GID: fi.gid}
}

// modeString is the mode as ls -l writes it: the type, then rwx three times.
func modeString(mode uint32) string {
	t := byte('-')
	switch mode & syscall.S_IFMT {
	case syscall.S_IFDIR:
		t = 'd'
	case syscall.S_IFCHR:
		t = 'c'
	case syscall.S_IFBLK:
		t = 'b'
	case syscall.S_IFIFO:
		t = 'p'
	case syscall.S_IFLNK:
		t = 'l'
	case syscall.S_IFSOCK:
		t = 's'
	}
	b := []byte{t}
	for i := 8; i >= 0; i-- {
		if mode&(1<<uint(i)) != 0 {
			b = append(b, "rwx"[(8-i)%3])
		} else {
			b = append(b, '-')
		}
	}
	return string(b)
}

// appendStoutString writes a JSON string as stout does: quotes and
// backslashes escaped, control characters as \b \f \n \r \t or \u00XX,
// every other byte (invalid UTF-8 included) as it is. encoding/json would
// turn a binary file's bytes into U+FFFD.
func appendStoutString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			b = append(b, '\\', '\\')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			if c < 0x20 {
				b = fmt.Appendf(b, `\u%04x`, c)
			} else {
				b = append(b, c)
			}
		}
	}
	return append(b, '"')
}

func sortedStrings(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// userName and groupName are getpwuid and getgrgid's names, or the number
// when there is none, as Mesos' createFileInfo gives them.
func userName(uid uint32) string {
	id := strconv.FormatUint(uint64(uid), 10)
	if u, err := user.LookupId(id); err == nil {
		return u.Username
	}
	return id
}

func groupName(gid uint32) string {
	id := strconv.FormatUint(uint64(gid), 10)
	if g, err := user.LookupGroupId(id); err == nil {
		return g.Name
	}
	return id
}

// mimeTypes are the common part of libprocess' table of extensions
// (src/mime.cpp); anything else downloads as application/octet-stream.
var mimeTypes = map[string]string{
	".txt": "text/plain", ".html": "text/html", ".htm": "text/html",
	".css": "text/css", ".js": "application/x-javascript", ".xml": "text/xml", ".sh": "application/x-sh",
	".py": "text/x-python", ".c": "text/plain", ".h": "text/plain", ".pl": "text/plain",
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
	".pdf": "application/pdf", ".tar": "application/x-tar", ".zip": "application/zip",
}
