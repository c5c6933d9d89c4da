package api

import (
	"net/http"
	"strings"
)

// explorerPattern is the metrics label of requests served by
// Config.Explorer; it is not an API route (nor in the OpenAPI document).
const explorerPattern = "explorer"

// route returns the pattern that serves r: explorerPattern for the web
// explorer ("/" and "/explorer/..." when Config.Explorer is set), else the
// mux's pattern ("" when none matches).
func (s *Server) route(r *http.Request) string {
	if s.cfg.Explorer != nil && (r.URL.Path == "/" || strings.HasPrefix(r.URL.Path, "/explorer/")) {
		return explorerPattern
	}
	_, pattern := s.mux.Handler(r)
	return pattern
}

// dispatch serves r by the pattern route chose (never "").
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request, pattern string) {
	if pattern == explorerPattern {
		s.cfg.Explorer.ServeHTTP(w, r)
		return
	}
	s.mux.ServeHTTP(w, r)
}
