package localmesos

import (
	"net/http"
	"strings"
)

// serveAgentAPI serves what an agent answers besides /state, /health and
// /version: its files (/files/*) and its operator API (/api/v1). It
// reports whether it answered.
func (s *Server) serveAgentAPI(a *agent, w http.ResponseWriter, r *http.Request) bool {
	if endpoint, ok := strings.CutPrefix(r.URL.Path, "/files/"); ok {
		a.files.serve(w, r, endpoint)
		return true
	}
	return false
}
