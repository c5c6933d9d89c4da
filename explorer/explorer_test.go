package explorer_test

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/explorer"
)

func get(t *testing.T, srv *httptest.Server, path string) (*http.Response, string) {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(explorer.Handler()) // listens on 127.0.0.1, port chosen by the OS
	t.Cleanup(srv.Close)
	return srv
}

func TestHandlerServesAssets(t *testing.T) {
	srv := newServer(t)
	for _, tc := range []struct {
		path, ctype, contains string
	}{
		{"/", "text/html", "<title>Cairn explorer</title>"},
		{"/explorer/", "text/html", "<title>Cairn explorer</title>"},
		{"/explorer/index.html", "text/html", "<title>Cairn explorer</title>"},
		{"/explorer/app.js", "text/javascript", "import "},
		{"/explorer/lib/live.js", "text/javascript", "EventSource"},
		{"/explorer/pages/tx.js", "text/javascript", "export async function txPage"},
		{"/explorer/txkinds/index.js", "text/javascript", "export const kinds"},
		{"/explorer/style.css", "text/css", "@media"},
	} {
		resp, body := get(t, srv, tc.path)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", tc.path, resp.StatusCode)
			continue
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tc.ctype) {
			t.Errorf("%s: Content-Type %q, want %s", tc.path, ct, tc.ctype)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: Content-Security-Policy %q", tc.path, csp)
		}
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", tc.path, got)
		}
		if !strings.Contains(body, tc.contains) {
			t.Errorf("%s: body lacks %q", tc.path, tc.contains)
		}
	}
}

func TestHandlerNotFound(t *testing.T) {
	srv := newServer(t)
	for _, p := range []string{"/explorer/nope.js", "/explorer/../explorer.go", "/explorer/static/app.js", "/app.js", "/explorer", "/explorer/%2e%2e/explorer.go",
		"/explorer/lib", "/explorer/lib/", "/explorer/lib/../app.js", "/explorer/lib//dom.js", "/explorer/lib/%2e%2e/app.js", "/explorer/lib/nope.js", "/lib/dom.js"} {
		resp, _ := get(t, srv, p)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", p, resp.StatusCode)
		}
	}
	resp, err := srv.Client().Post(srv.URL+"/", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /: status %d, want 405", resp.StatusCode)
	}
}

// TestIndexReferencesExist checks that every local file index.html loads
// is embedded, and that it loads nothing from elsewhere and runs no
// inline script.
func TestIndexReferencesExist(t *testing.T) {
	files := explorer.FS()
	index, err := fs.ReadFile(files, "index.html")
	if err != nil {
		t.Fatal(err)
	}
	refs := regexp.MustCompile(`(?:src|href)="([^"#][^"]*)"`).FindAllStringSubmatch(string(index), -1)
	if len(refs) < 2 {
		t.Fatalf("index.html references %d files, want app.js and style.css", len(refs))
	}
	for _, m := range refs {
		ref := m[1]
		if !strings.HasPrefix(ref, explorer.Prefix) {
			t.Errorf("index.html references %q outside %s (no CDN, no other origin)", ref, explorer.Prefix)
			continue
		}
		if _, err := fs.Stat(files, strings.TrimPrefix(ref, explorer.Prefix)); err != nil {
			t.Errorf("index.html references %q: %v", ref, err)
		}
	}
	if regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]`).Match(index) {
		t.Error("index.html has an inline script")
	}
	if regexp.MustCompile(`(?i)\son[a-z]+=|style=`).Match(index) {
		t.Error("index.html has an inline event handler or style attribute")
	}
}

// TestNoHTMLSinks checks that no module ever turns strings into HTML, so
// data from the chain (a memo holding <script>) cannot become markup.
func TestNoHTMLSinks(t *testing.T) {
	files := explorer.FS()
	n := 0
	err := fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(name) != ".js" {
			return err
		}
		n++
		src, err := fs.ReadFile(files, name)
		if err != nil {
			return err
		}
		for _, sink := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "createContextualFragment", "DOMParser", "srcdoc"} {
			if strings.Contains(string(src), sink) {
				t.Errorf("%s uses %s", name, sink)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 2 {
		t.Fatalf("found %d modules", n)
	}
}

// TestHandlerETag checks that every file, the modules in folders too, has
// a strong ETag and that a browser revalidating it gets 304 Not Modified.
func TestHandlerETag(t *testing.T) {
	srv := newServer(t)
	for _, p := range []string{"/", "/explorer/app.js", "/explorer/lib/dom.js", "/explorer/txkinds/unknown.js", "/explorer/style.css"} {
		resp, body := get(t, srv, p)
		etag := resp.Header.Get("ETag")
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(etag, `"`) || body == "" {
			t.Errorf("%s: status %d, ETag %q, %d bytes", p, resp.StatusCode, etag, len(body))
			continue
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("%s: Cache-Control %q, want no-cache (revalidate every load)", p, cc)
		}
		req, err := http.NewRequest(http.MethodGet, srv.URL+p, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("If-None-Match", etag)
		resp, err = srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotModified || len(b) != 0 {
			t.Errorf("%s with If-None-Match %s: status %d, %d bytes; want 304 and no body", p, etag, resp.StatusCode, len(b))
		}
		if csp := resp.Header.Get("Content-Security-Policy"); csp != explorer.CSP {
			t.Errorf("%s 304: Content-Security-Policy %q", p, csp)
		}
	}
	a, _ := get(t, srv, "/explorer/app.js")
	b, _ := get(t, srv, "/explorer/lib/dom.js")
	if a.Header.Get("ETag") == b.Header.Get("ETag") {
		t.Error("two files share an ETag")
	}
}
