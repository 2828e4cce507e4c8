package localmesos

import (
	_ "embed"
	"net/http"
)

// The master's page at /: frameworks, agents, tasks (with their sandboxes'
// stdout and stderr), outstanding offers, refreshed every two seconds
// from /state. It is the stand-in's own, not Mesos' web UI, and says so.

//go:embed webui/index.html
var webPage []byte

// servePage answers GET / on the master.
func (s *Server) servePage(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET")
		plain(w, http.StatusMethodNotAllowed, "405 Method Not Allowed. Expecting one of { 'GET' }, but received '"+r.Method+"'.")
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(webPage)
}
