// Package web serves the embedded web UI: the files Vite builds from web/
// into dist/, compiled into the binary with go:embed.
//
// A plain `go build` without built assets still works: dist/ then holds only
// the committed PLACEHOLDER, and `/` answers with how to build the UI.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed all:dist
var embedded embed.FS

// notBuilt is what `/` says when the binary carries no UI.
const notBuilt = "hostadm: the web UI is not built into this binary; run `make ui` (or `make build`) " +
	"to build it with npm and Vite, then rebuild. The API is at /api2/json/.\n"

// contentSecurityPolicy keeps the page to the daemon's own origin: no CDNs,
// fonts or trackers can load even if a dependency tried to. Inline styles are
// allowed because uPlot and Preact set element styles.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; " +
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// securityHeaders go on every UI response (page, assets, errors): only
// the daemon's own origin, never inside a frame (no clickjacking of the
// admin UI), no type sniffing, no referrer to other sites.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}

// Handler serves the UI from the embedded files.
func Handler() http.Handler {
	return New(Files())
}

// New serves a UI from files: index.html at `/` (never cached, so a new
// binary's UI is picked up at once) and the content-hashed files under
// assets/ with a year-long immutable cache.
func New(files fs.FS) http.Handler {
	index, err := fs.ReadFile(files, "index.html")
	if err != nil {
		index = nil
	}
	assets := http.FileServerFS(files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w.Header())
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		switch {
		case r.URL.Path == "/" || r.URL.Path == "/index.html":
			serveIndex(w, r, index)
		case isAsset(r.URL.Path):
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			assets.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	})
}

func serveIndex(w http.ResponseWriter, r *http.Request, index []byte) {
	h := w.Header()
	h.Set("Cache-Control", "no-cache")
	if index == nil {
		h.Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte(notBuilt))
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(index)
}

// isAsset reports whether p names a built file under /assets/ (no directory
// listings, no dot files).
func isAsset(p string) bool {
	if !strings.HasPrefix(p, "/assets/") || strings.HasSuffix(p, "/") {
		return false
	}
	clean := path.Clean(p)
	return clean == p && !strings.Contains(p, "/.")
}

// Files is the embedded UI tree (index.html and assets/ when built).
func Files() fs.FS {
	sub, err := fs.Sub(embedded, "dist")
	if err != nil {
		panic(err) // the embed pattern guarantees dist exists
	}
	return sub
}
