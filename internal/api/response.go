package api

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
// HTTP/1.x the connection is taken over for this one answer and closed
// afterwards; HTTP/2 has no reason phrases at all.
func writeWithReason(w http.ResponseWriter, req *http.Request, code int, phrase string, body []byte) {
	ctype := "application/json;charset=UTF-8"
	hj, canHijack := w.(http.Hijacker)
	if req.ProtoMajor != 1 || !canHijack || phrase == "" {
		w.Header().Set("Content-Type", ctype)
		w.WriteHeader(code)
		w.Write(body)
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		w.Header().Set("Content-Type", ctype)
		w.WriteHeader(code)
		w.Write(body)
		return
	}
	defer conn.Close()
	writeRaw(buf.Writer, code, phrase, ctype, body)
}

func writeRaw(bw *bufio.Writer, code int, phrase, ctype string, body []byte) {
	fmt.Fprintf(bw, "HTTP/1.1 %d %s\r\n", code, phrase)
	fmt.Fprintf(bw, "Content-Type: %s\r\nContent-Length: %d\r\nCache-Control: max-age=0\r\nConnection: close\r\n\r\n", ctype, len(body))
	bw.Write(body)
	bw.Flush()
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
