package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func get(t *testing.T, h http.Handler, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

func TestBuiltUI(t *testing.T) {
	h := New(fstest.MapFS{
		"index.html":           {Data: []byte("<!doctype html><title>hostadm</title>")},
		"assets/index-ab12.js": {Data: []byte("console.log(1)")},
		"assets/.hidden":       {Data: []byte("x")},
	})
	tests := []struct {
		name, method, target string
		status               int
		cache, body          string
	}{
		{"index", "GET", "/", 200, "no-cache", "<title>hostadm</title>"},
		{"index by name", "GET", "/index.html", 200, "no-cache", "hostadm"},
		{"asset", "GET", "/assets/index-ab12.js", 200, "public, max-age=31536000, immutable", "console.log"},
		{"missing asset", "GET", "/assets/nope.js", 404, "", ""},
		{"dot file", "GET", "/assets/.hidden", 404, "", ""},
		{"directory", "GET", "/assets/", 404, "", ""},
		{"other path", "GET", "/favicon.ico", 404, "", ""},
		{"post", "POST", "/", 405, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, h, tc.method, tc.target)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d", rec.Code, tc.status)
			}
			if tc.cache != "" && rec.Header().Get("Cache-Control") != tc.cache {
				t.Errorf("Cache-Control %q, want %q", rec.Header().Get("Cache-Control"), tc.cache)
			}
			if !strings.Contains(rec.Body.String(), tc.body) {
				t.Errorf("body %q lacks %q", rec.Body.String(), tc.body)
			}
			// Every answer, errors too, carries the security headers.
			for k, want := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
				"Referrer-Policy": "no-referrer", "Content-Security-Policy": "default-src 'self'"} {
				if got := rec.Header().Get(k); !strings.Contains(got, want) {
					t.Errorf("%s: %q, want %q", k, got, want)
				}
			}
		})
	}
	if csp := get(t, h, "GET", "/").Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("index CSP %q", csp)
	}
}

func TestNotBuilt(t *testing.T) {
	h := New(fstest.MapFS{"PLACEHOLDER": {Data: []byte("x")}})
	rec := get(t, h, "GET", "/")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "make ui") {
		t.Fatalf("got %d %q", rec.Code, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q", ct)
	}
}

// TestEmbedded checks the real embedded tree: built or not, `/` answers.
func TestEmbedded(t *testing.T) {
	rec := get(t, Handler(), "GET", "/")
	if rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
}
