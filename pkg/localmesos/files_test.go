package localmesos

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The files process, tested as Mesos tests it (src/tests/files_tests.cpp):
// paths attached in a scratch folder, requests to browse, read, download
// and debug.

// filesAt serves f and answers GETs of /files/<endpoint>?<query>.
func filesAt(t *testing.T, f *files) func(endpoint, query string) (int, string, http.Header) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.serve(w, r, strings.TrimPrefix(r.URL.Path, "/files/"))
	}))
	t.Cleanup(srv.Close)
	return func(endpoint, query string) (int, string, http.Header) {
		t.Helper()
		resp, err := http.Get(srv.URL + "/files/" + endpoint + "?" + query)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
}

func scratch(t *testing.T) string {
	dir := t.TempDir()
	t.Chdir(dir)
	return dir
}

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func wantAnswer(t *testing.T, what string, code int, body string, wantCode int, wantBody string) {
	t.Helper()
	if code != wantCode || body != wantBody {
		t.Errorf("%s: %d %q, want %d %q", what, code, body, wantCode, wantBody)
	}
}

func TestFilesTest_AttachTest(t *testing.T) {
	scratch(t)
	write(t, "file", "body")
	os.Mkdir("dir", 0o755)
	f := newFiles()
	for _, c := range []struct{ real, virtual string }{{"file", "myname"}, {"dir", "mydir"}, {"file", "myname"}} {
		if err := f.attach(c.real, c.virtual); err != nil {
			t.Errorf("attach %s: %v", c.real, err)
		}
	}
	if err := f.attach("missing", "somename"); err == nil {
		t.Error("attaching a missing file worked")
	}
	write(t, "file2", "body")
	if err := f.attach("file2", "myname"); err != nil {
		t.Error(err)
	}
	if real, _ := f.resolve("myname"); filepath.Base(real) != "file2" {
		t.Errorf("re-attached name resolves to %s", real)
	}
}

func TestFilesTest_DetachTest(t *testing.T) {
	scratch(t)
	write(t, "file", "body")
	f := newFiles()
	if err := f.attach("file", "myname"); err != nil {
		t.Fatal(err)
	}
	f.detach("myname")
	f.detach("myname")
	if _, err := f.resolve("myname"); err != errFileNotFound {
		t.Errorf("detached path resolves: %v", err)
	}
}

func TestFilesTest_ReadTest(t *testing.T) {
	scratch(t)
	f := newFiles()
	get := filesAt(t, f)
	code, body, _ := get("read", "")
	wantAnswer(t, "no path", code, body, 400, "Expecting 'path=value' in query.\n")
	code, body, _ = get("read", "path=none&offset=hello")
	wantAnswer(t, "bad offset", code, body, 400, "Failed to parse offset: Failed to convert 'hello' to number.\n")
	code, body, _ = get("read", "path=none&length=hello")
	wantAnswer(t, "bad length", code, body, 400, "Failed to parse length: Failed to convert 'hello' to number.\n")

	write(t, "file", "body")
	f.attach("file", "/myname")
	f.attach("file", "myname")
	code, body, _ = get("read", "path=/myname&offset=0")
	wantAnswer(t, "read /myname", code, body, 200, `{"data":"body","offset":0}`)
	code, body, _ = get("read", "path=myname&offset=0")
	wantAnswer(t, "read myname", code, body, 200, `{"data":"body","offset":0}`)
	code, body, _ = get("read", "path=/myname&length=-1&offset=0")
	wantAnswer(t, "length -1", code, body, 200, `{"data":"body","offset":0}`)
	code, body, _ = get("read", "path=/myname&length=-2")
	wantAnswer(t, "length -2", code, body, 400, "Negative length provided: -2.\n")
	code, body, _ = get("read", "path=/myname&offset=0&length=2")
	wantAnswer(t, "length 2", code, body, 200, `{"data":"bo","offset":0}`)
	code, body, _ = get("read", "path=missing")
	wantAnswer(t, "missing", code, body, 404, "")

	// What libprocess makes of offsets: -1 asks for the size only, past
	// the end reads nothing, below -1 is refused, hexadecimal is a number.
	code, body, _ = get("read", "path=myname")
	wantAnswer(t, "no offset", code, body, 200, `{"data":"","offset":4}`)
	code, body, _ = get("read", "path=myname&offset=-1&length=3")
	wantAnswer(t, "offset -1", code, body, 200, `{"data":"","offset":4}`)
	code, body, _ = get("read", "path=myname&offset=100")
	wantAnswer(t, "offset past the end", code, body, 200, `{"data":"","offset":100}`)
	code, body, _ = get("read", "path=myname&offset=-2")
	wantAnswer(t, "offset -2", code, body, 400, "Negative offset provided: -2.\n")
	code, body, _ = get("read", "path=myname&offset=0x2")
	wantAnswer(t, "offset 0x2", code, body, 200, `{"data":"dy","offset":2}`)
	code, body, _ = get("read", "path=myname&offset=")
	wantAnswer(t, "empty offset", code, body, 400, "Failed to parse offset: Failed to convert '' to number.\n")
}

func TestFilesTest_ResolveTest(t *testing.T) {
	scratch(t)
	f := newFiles()
	get := filesAt(t, f)
	os.MkdirAll("1/2", 0o755)
	write(t, "1/two", "two")
	write(t, "1/2/three", "three")
	f.attach("1", "one")
	f.attach("1", "/one/")
	f.attach("1/2", "two")
	f.attach("1/2", "one/two")
	for _, q := range []string{"path=one/2/three&offset=0", "path=/one/2/three&offset=0", "path=two/three&offset=0",
		"path=one/two/three&offset=0", "path=%2Fone%2F2%2Fthree&offset=0", "path=one%2Ftwo%2Fthree&offset=0"} {
		code, body, _ := get("read", q)
		wantAnswer(t, q, code, body, 200, `{"data":"three","offset":0}`)
	}
	for _, q := range []string{"path=one/2", "path=one", "path=one/", "path=one/two/"} {
		code, body, _ := get("read", q)
		wantAnswer(t, q, code, body, 400, "Cannot read a directory.\n")
	}
	// Breaking out of the sandbox.
	code, body, _ := get("read", "path=two/../two")
	real, _ := realpath("1/2")
	wantAnswer(t, "two/../two", code, body, 400, "'"+real+"/../two' is inaccessible.\n")
}

func TestFilesTest_BrowseTest(t *testing.T) {
	dir := scratch(t)
	f := newFiles()
	get := filesAt(t, f)
	os.MkdirAll("1/2", 0o755)
	os.MkdirAll("1/3", 0o755)
	write(t, "1/two", "two")
	write(t, "1/three", "three")
	f.attach("1", "one")
	_, want, _ := get("browse", "path=one/")
	for _, name := range []string{`"path":"one/2"`, `"path":"one/3"`, `"path":"one/three"`, `"path":"one/two"`} {
		if !strings.Contains(want, name) {
			t.Errorf("listing %s lacks %s", want, name)
		}
	}
	if i, j := strings.Index(want, "one/3"), strings.Index(want, "one/three"); i > j {
		t.Errorf("listing not sorted by path: %s", want)
	}
	if !strings.Contains(want, `"mode":"drwxr-xr-x"`) || !strings.Contains(want, `"mode":"-rw-r--r--","mtime":`) || !strings.Contains(want, `"size":5,`) {
		t.Errorf("listing %s: want ls -l modes and sizes", want)
	}
	for _, q := range []string{"path=one%2F", "path=one"} {
		code, body, _ := get("browse", q)
		wantAnswer(t, q, code, body, 200, want)
	}
	code, body, _ := get("browse", "path=one/2")
	wantAnswer(t, "empty folder", code, body, 200, "[]")
	code, body, _ = get("browse", "path=missing")
	wantAnswer(t, "missing", code, body, 404, "")
	code, body, _ = get("browse", "path=one/..")
	wantAnswer(t, "one/..", code, body, 400, "'"+mustReal(t, dir+"/1")+"/..' is inaccessible.\n")
}

func mustReal(t *testing.T, p string) string {
	r, err := realpath(p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestFilesTest_DownloadTest(t *testing.T) {
	scratch(t)
	f := newFiles()
	get := filesAt(t, f)
	gif := "GIF87a\x01\x00\x01\x00\x91\x00\x00\xff\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x01\x02\x02L\x01\x00;\x00"
	write(t, "binary", "no file extension")
	write(t, "black.gif", gif)
	f.attach("binary", "binary")
	f.attach("black.gif", "black.gif")
	code, body, h := get("download", "path=binary")
	wantAnswer(t, "binary", code, body, 200, "no file extension")
	if ct := h.Get("Content-Type"); ct != "application/octet-stream" {
		t.Errorf("binary: Content-Type %s", ct)
	}
	code, body, h = get("download", "path=black.gif")
	wantAnswer(t, "gif", code, body, 200, gif)
	if ct := h.Get("Content-Type"); ct != "image/gif" {
		t.Errorf("gif: Content-Type %s", ct)
	}
	code, body, _ = get("download", "path=missing")
	wantAnswer(t, "missing", code, body, 404, "404 Not Found.")
}

func TestFilesTest_DebugTest(t *testing.T) {
	dir := scratch(t)
	f := newFiles()
	get := filesAt(t, f)
	os.Mkdir("real-path-1", 0o755)
	os.Mkdir("real-path-2", 0o755)
	f.attach("real-path-1", "virtual-path-1")
	f.attach("real-path-2", "virtual-path-2")
	real := mustReal(t, dir)
	code, body, _ := get("debug", "")
	wantAnswer(t, "debug", code, body, 200, `{"virtual-path-1":"`+real+`/real-path-1","virtual-path-2":"`+real+`/real-path-2"}`)
}

// TestFilesBinaryData: bytes go out as stout writes them, not as
// encoding/json would (no U+FFFD for invalid UTF-8, no \u003c).
func TestFilesBinaryData(t *testing.T) {
	scratch(t)
	f := newFiles()
	get := filesAt(t, f)
	write(t, "bin.txt", "a\x01b\x7fc\xff\xfed<>&\"\\/é\ttab\n")
	f.attach("bin.txt", "bin")
	code, body, _ := get("read", "path=bin&offset=0")
	wantAnswer(t, "binary read", code, body, 200, "{\"data\":\"a\\u0001b\x7fc\xff\xfed<>&\\\"\\\\/é\\ttab\\n\",\"offset\":0}")
}
