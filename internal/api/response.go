package api

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"

	"hostadm/internal/schema"
)

// envelope is the JSON answer; extjs adds success/status.
type envelope struct {
	Data    any               `json:"data"`
	Success *int              `json:"success,omitempty"`
	Message string            `json:"message,omitempty"`
	Status  int               `json:"status,omitempty"`
	Errors  map[string]string `json:"errors,omitempty"`
	Total   *int              `json:"total,omitempty"`
	Changes string            `json:"changes,omitempty"`
}

func (a *API) ok(w http.ResponseWriter, format string, res *Result) {
	env := envelope{Data: res.Data, Total: res.Total, Changes: res.Changes}
	if format == "extjs" {
		one := 1
		env.Success = &one
	}
	body, err := json.Marshal(env)
	if err != nil {
		a.svc.Logger.Error("encoding response", "err", err)
		body = []byte(`{"data":null}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "max-age=0")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// fail renders an error in Proxmox's shape: status and reason phrase (the
// message's first line), `message` and, for parameter errors, `errors`.
func (a *API) fail(w http.ResponseWriter, req *http.Request, format string, err error) {
	code := statusOf(err)
	msg := messageOf(err)
	env := envelope{Message: msg}
	var pe schema.ParamError
	if errors.As(err, &pe) {
		env.Errors = pe
	}
	if code >= 500 && code != http.StatusNotImplemented {
		a.svc.Logger.Warn("request failed", "method", req.Method, "path", req.URL.Path, "status", code, "err", err)
	}
	if format == "extjs" {
		zero := 0
		env.Success, env.Status = &zero, code
		body, _ := json.Marshal(env)
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.WriteHeader(http.StatusOK)
		w.Write(body)
		return
	}
	var body []byte
	if code != http.StatusUnauthorized {
		body, _ = json.Marshal(env)
	}
	writeWithReason(w, req, code, reason(msg), body)
}

// reason is the first line of a message, made safe for a status line.
func reason(msg string) string {
	line, _, _ := strings.Cut(msg, "\n")
	line = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r > 0x7e {
			return ' '
		}
		return r
	}, line)
	if len(line) > 200 {
		line = line[:200]
	}
	return line
}

// writeWithReason sends a response whose status line carries Proxmox's
// reason phrase. Go's server always writes the standard phrase, so on
// HTTP/1.x the connection is taken over for this one answer; afterwards it
// goes back to the server for the client's next request (see
// WithConnKeeper) when the caller was authenticated or sent no body, the
// request was read whole and the client keeps connections alive, and is
// closed otherwise. Closing after every error
// answer made clients that meet a refusal (a digest conflict, a 400)
// reconnect, a TLS handshake each. HTTP/2 has no reason phrases at all.
func writeWithReason(w http.ResponseWriter, req *http.Request, code int, phrase string, body []byte) {
	ctype := "application/json;charset=UTF-8"
	hj, canHijack := w.(http.Hijacker)
	if req.ProtoMajor != 1 || !canHijack || phrase == "" {
		w.Header().Set("Content-Type", ctype)
		w.WriteHeader(code)
		w.Write(body)
		return
	}
	keep, _ := req.Context().Value(connKeeperKey{}).(func(net.Conn))
	// An authenticated caller keeps its connection, and so does one whose
	// request had no body (a 401 for a missing ticket, as pveproxy keeps
	// it): a client that walks the API without credentials must not be cut
	// off by the per-address rate of new connections. A refused login and
	// a JSON bomb (both carry a body) pay a new TLS handshake, which the
	// daemon rations, for their next try. The body is known to be read
	// whole only when there was none or readBody read it to its end (and
	// left NoBody in its place): bytes left of it must not be taken for
	// the next request.
	keepAlive := keep != nil && (req.Context().Value(identifiedKey{}) != nil || req.ContentLength == 0) &&
		req.ProtoAtLeast(1, 1) && !req.Close && (req.Body == nil || req.Body == http.NoBody)
	conn, buf, err := hj.Hijack()
	if err != nil {
		w.Header().Set("Content-Type", ctype)
		w.WriteHeader(code)
		w.Write(body)
		return
	}
	keepAlive = keepAlive && buf.Reader.Buffered() == 0
	if err := writeRaw(buf.Writer, code, phrase, ctype, body, keepAlive); err != nil || !keepAlive {
		conn.Close()
		return
	}
	keep(conn)
}

func writeRaw(bw *bufio.Writer, code int, phrase, ctype string, body []byte, keepAlive bool) error {
	conn := "close"
	if keepAlive {
		conn = "keep-alive"
	}
	fmt.Fprintf(bw, "HTTP/1.1 %d %s\r\n", code, phrase)
	fmt.Fprintf(bw, "Content-Type: %s\r\nContent-Length: %d\r\nCache-Control: max-age=0\r\nConnection: %s\r\n\r\n", ctype, len(body), conn)
	bw.Write(body)
	return bw.Flush()
}

// connKeeperKey is the context key of WithConnKeeper.
type connKeeperKey struct{}

// identifiedKey marks the context of a request whose caller was
// authenticated from its headers.
type identifiedKey struct{}

func identified(req *http.Request) *http.Request {
	return req.WithContext(context.WithValue(req.Context(), identifiedKey{}, true))
}

// WithConnKeeper returns ctx carrying keep, which the server that serves
// requests with this context provides: it is given a connection taken
// over for an answer with a reason phrase, to serve the client's next
// request on it. Without a keeper such connections are closed.
func WithConnKeeper(ctx context.Context, keep func(net.Conn)) context.Context {
	return context.WithValue(ctx, connKeeperKey{}, keep)
}

func serveDownload(w http.ResponseWriter, req *http.Request, d *Download) {
	f, err := os.Open(d.Path)
	if err != nil {
		http.Error(w, "unable to open file", http.StatusInternalServerError)
		return
	}
	defer f.Close()
	ctype := d.ContentType
	if ctype == "" {
		ctype = "text/plain"
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=\"%s\"", d.Name))
	if d.Gzip {
		h.Set("Content-Encoding", "gzip")
		w.WriteHeader(http.StatusOK)
		zw := gzip.NewWriter(w)
		io.Copy(zw, f)
		zw.Close()
		return
	}
	w.WriteHeader(http.StatusOK)
	io.Copy(w, f)
}
