package main

import (
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

//go:embed static
var static embed.FS

// shutdownGrace bounds how long in-flight requests may finish after SIGTERM.
// Mesos' default kill grace period is 3 s, so stay below it.
const shutdownGrace = 2 * time.Second

func main() {
	healthcheck := flag.Bool("healthcheck", false,
		"ask the server listening on $PORT (or :80) for /health and exit 0 if it answers 200")
	flag.Parse()

	addr := listenAddr(os.Getenv("PORT"))
	if *healthcheck {
		if err := checkHealth(context.Background(), addr); err != nil {
			fmt.Fprintln(os.Stderr, "demo-site:", err)
			os.Exit(1)
		}
		return
	}

	// PID 1 in a container gets no default SIGTERM handling from the kernel:
	// without this, docker stop and a Mesos KILL would wait for SIGKILL.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "demo-site: listening on %s: %v\n", addr, err)
		os.Exit(1)
	}
	if err := serve(ctx, ln, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "demo-site:", err)
		os.Exit(1)
	}
}

// listenAddr turns $PORT into a listen address. Mesos tasks usually get a
// bare port number from their offer; a host:port is taken as it is.
func listenAddr(port string) string {
	switch {
	case port == "":
		return ":80"
	case strings.Contains(port, ":"):
		return port
	default:
		return ":" + port
	}
}

// site is the embedded page tree, rooted so that static/index.html is /.
func site() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		// fs.Sub fails only for an invalid path, and "static" is a constant.
		panic(err)
	}
	return sub
}

// newHandler serves the files of root and a /health endpoint, and writes one
// access-log line per request to log.
func newHandler(root fs.FS, log io.Writer) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	mux.Handle("GET /", http.FileServerFS(root))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		mux.ServeHTTP(rec, r)
		fmt.Fprintf(log, "demo-site: %s %s %d from %s\n", r.Method, r.URL.Path, rec.status, r.RemoteAddr)
	})
}

// statusRecorder remembers the status code a handler wrote, for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// serve announces what it serves on out, then serves the embedded site on ln
// until ctx is done, and lets in-flight requests finish.
func serve(ctx context.Context, ln net.Listener, out io.Writer) error {
	root := site()
	if err := announce(root, ln.Addr().String(), out); err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           newHandler(root, out),
		ReadHeaderTimeout: 5 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	select {
	case err := <-errc:
		return fmt.Errorf("serving on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	fmt.Fprintln(out, "demo-site: stopping")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving on %s: %w", ln.Addr(), err)
	}
	return nil
}

// announce prints the address and every file served, so the task's stdout in
// the Mesos sandbox says what this container is for.
func announce(root fs.FS, addr string, out io.Writer) error {
	fmt.Fprintf(out, "demo-site: listening on %s\n", addr)
	err := fs.WalkDir(root, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		url := "/" + path
		if path == "index.html" {
			url = "/"
		}
		fmt.Fprintf(out, "demo-site: serving %s (%s, %d bytes)\n", url, path, info.Size())
		return nil
	})
	if err != nil {
		return fmt.Errorf("listing the embedded site: %w", err)
	}
	fmt.Fprintln(out, "demo-site: health check at /health")
	return nil
}

// checkHealth asks the server at addr for /health. An address with no host
// means this machine, so it asks on loopback.
func checkHealth(ctx context.Context, addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("health check address %q: %w", addr, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	url := "http://" + net.JoinHostPort(host, port) + "/health"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("health check request: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health check: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health check %s: %s", url, resp.Status)
	}
	return nil
}
