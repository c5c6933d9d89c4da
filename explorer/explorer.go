// Package explorer is Cairn's block explorer: a single-page web app (plain
// HTML, CSS and JavaScript modules, no framework, no build step) embedded
// in the binary and served by every node at "/" and "/explorer/...". The
// page reads the node's REST API (/api/v1/...) and its event stream; it
// builds the DOM with textContent only, so data from the chain is never
// parsed as HTML.
//
// static/app.js is the entry module (index.html loads it with <script
// type="module">); static/lib holds the shared modules, static/pages one
// module per page and static/txkinds a renderer per tx kind. A test checks
// that every import names an embedded module and that every module is
// imported.
package explorer

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
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

// FS returns the embedded files: index.html, app.js and style.css at its
// root, the other modules in lib/, pages/ and txkinds/.
func FS() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the directory is embedded: cannot happen
	}
	return sub
}

// asset is an embedded file ready to serve.
type asset struct {
	data  []byte
	ctype string
	etag  string // strong: a hash of data
}

// assets reads every embedded file once: the files never change while the
// binary runs, so each has a fixed ETag.
func assets() map[string]asset {
	files := FS()
	m := make(map[string]asset)
	err := fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(files, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		m[name] = asset{data: data, ctype: contentType(name), etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
		return nil
	})
	if err != nil {
		panic(err) // the files are embedded: cannot happen
	}
	return m
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".html":
		return "text/html; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	}
	if ctype := mime.TypeByExtension(path.Ext(name)); ctype != "" {
		return ctype
	}
	return "application/octet-stream"
}

// Handler serves index.html at "/" and the assets at /explorer/<path>
// (modules in folders too), with their content types, the CSP and nosniff;
// anything else is 404. Responses say no-cache with a strong ETag, so a
// browser revalidates every file on each load and gets 304 Not Modified
// for the ones it has.
func Handler() http.Handler {
	files := assets()
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
		a, ok := files[name] // only files: no directories, no ".."
		if !ok || !fs.ValidPath(name) {
			http.NotFound(w, r)
			return
		}
		h.Set("Content-Type", a.ctype)
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", a.etag)
		// ServeContent answers If-None-Match with 304, HEAD without a body.
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.data))
	})
}
