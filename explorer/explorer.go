// Package explorer is Cairn's block explorer: a single-page web app (plain
// HTML, CSS and JavaScript, no framework, no build step) embedded in the
// binary and served by every node at "/" and "/explorer/...". The page reads
// the node's REST API (/api/v1/...) and its event stream; it builds the DOM
// with textContent only, so data from the chain is never parsed as HTML.
package explorer

import (
	"embed"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var static embed.FS

// Prefix is the path under which the assets are served; "/" serves
// index.html.
const Prefix = "/explorer/"

// CSP is the Content-Security-Policy of every response: only the node's
// own scripts, styles and API; no inline script, no framing.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// FS returns the embedded files (index.html, app.js, style.css at its root).
func FS() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the directory is embedded: cannot happen
	}
	return sub
}

// Handler serves index.html at "/" and the assets at /explorer/<name>,
// with their content types, the CSP and nosniff; anything else is 404.
func Handler() http.Handler {
	files := FS()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", CSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		var name string
		switch p := r.URL.Path; {
		case p == "/" || p == Prefix || p == Prefix+"index.html":
			name = "index.html"
		case strings.HasPrefix(p, Prefix):
			name = strings.TrimPrefix(p, Prefix)
		default:
			http.NotFound(w, r)
			return
		}
		if !fs.ValidPath(name) || strings.Contains(name, "/") {
			http.NotFound(w, r)
			return
		}
		data, err := fs.ReadFile(files, name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		ctype := mime.TypeByExtension(path.Ext(name))
		switch path.Ext(name) {
		case ".js":
			ctype = "text/javascript; charset=utf-8"
		case ".html":
			ctype = "text/html; charset=utf-8"
		case ".css":
			ctype = "text/css; charset=utf-8"
		}
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		h.Set("Content-Type", ctype)
		h.Set("Cache-Control", "no-cache")
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			_, _ = w.Write(data)
		}
	})
}
