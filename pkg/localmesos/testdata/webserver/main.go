// Command webserver is the program in the image the docker runner's tests
// build (FROM scratch, so it must be static: CGO_ENABLED=0). It does the few
// things those tests need a task to do:
//
//	webserver                         serve a page on :8080 until SIGTERM, then exit 0
//	webserver -listen 127.0.0.1:9000  ... on another address (host network tests)
//	webserver -exit 3                 print a line to stdout and one to stderr, exit 3
//	webserver -ignore-term            serve, and ignore SIGTERM (so only SIGKILL ends it)
//
// The page says "hello from the localmesos test image" followed by the
// GREETING environment variable, and on start the program writes
// $MESOS_SANDBOX/webserver.started, so a test can see that the sandbox is
// mounted where MESOS_SANDBOX says.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
)

func main() {
	listen := flag.String("listen", ":8080", "TCP address to serve on")
	exit := flag.Int("exit", -1, "exit at once with this status instead of serving")
	ignoreTerm := flag.Bool("ignore-term", false, "ignore SIGTERM")
	flag.Parse()

	fmt.Println("webserver: started")
	fmt.Fprintln(os.Stderr, "webserver: this line goes to stderr")
	if dir := os.Getenv("MESOS_SANDBOX"); dir != "" {
		// Failing to write is the test's to notice, by the file's absence.
		_ = os.WriteFile(filepath.Join(dir, "webserver.started"), []byte(dir+"\n"), 0o644)
	}
	if *exit >= 0 {
		os.Exit(*exit)
	}

	// PID 1 in a container gets no default signal handlers, so SIGTERM
	// must be handled (or ignored) explicitly either way.
	if *ignoreTerm {
		signal.Ignore(syscall.SIGTERM)
	} else {
		term := make(chan os.Signal, 1)
		signal.Notify(term, syscall.SIGTERM)
		go func() {
			<-term
			fmt.Println("webserver: SIGTERM, exiting")
			os.Exit(0)
		}()
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "webserver:", err)
		os.Exit(2)
	}
	http.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "hello from the localmesos test image %s\n", os.Getenv("GREETING"))
	})
	fmt.Fprintln(os.Stderr, "webserver:", http.Serve(ln, nil))
	os.Exit(2)
}
