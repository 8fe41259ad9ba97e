package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Limits bound the work a request may cause before and after
// authentication. Zero fields take the defaults of DefaultLimits.
type Limits struct {
	// MaxParams caps the parameters of one request (query, form and JSON
	// keys at every level together); MaxDepth caps JSON nesting.
	MaxParams int
	MaxDepth  int
	// PreAuthInFlight is how many requests without a verified identity
	// (login, open endpoints) are read and handled at once; PreAuthWait
	// is how long one waits for a turn before it is answered 503.
	PreAuthInFlight int
	PreAuthWait     time.Duration
	// PreAuthBodyTimeout and BodyTimeout bound the time to read a request
	// body, before and after authentication: a client that announces
	// more than it sends loses the connection instead of holding it.
	PreAuthBodyTimeout time.Duration
	BodyTimeout        time.Duration
}

// DefaultLimits are the limits the daemon runs with. A Proxmox request
// has a few dozen parameters at most; 16 unauthenticated bodies of
// maxBody bytes are 8 MiB. A request waiting for a turn holds only its
// connection; sending it away sooner makes a flood reconnect (a TLS
// handshake each) more often. The same holds for a stalled body: the
// connection caps, not its deadline, bound what stalled clients hold, and
// a client that is cut off reconnects at once, so a short deadline only
// buys the attacker more handshakes. 20 s is Apache's default for a
// request body (mod_reqtimeout); a login form takes a fraction of it.
func DefaultLimits() Limits {
	return Limits{MaxParams: 500, MaxDepth: 8, PreAuthInFlight: 16, PreAuthWait: 5 * time.Second,
		PreAuthBodyTimeout: 20 * time.Second, BodyTimeout: 30 * time.Second}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxParams > 0 {
		d.MaxParams = l.MaxParams
	}
	if l.MaxDepth > 0 {
		d.MaxDepth = l.MaxDepth
	}
	if l.PreAuthInFlight > 0 {
		d.PreAuthInFlight = l.PreAuthInFlight
	}
	if l.PreAuthWait > 0 {
		d.PreAuthWait = l.PreAuthWait
	}
	if l.PreAuthBodyTimeout > 0 {
		d.PreAuthBodyTimeout = l.PreAuthBodyTimeout
	}
	if l.BodyTimeout > 0 {
		d.BodyTimeout = l.BodyTimeout
	}
	return d
}

// errBusy answers unauthenticated requests beyond PreAuthInFlight.
var errBusy = &StatusError{Code: http.StatusServiceUnavailable, Msg: "too many unauthenticated requests, try again later"}

// preAuthTurn waits for one of the PreAuthInFlight turns and returns its
// release (safe to call twice), or errBusy when none frees up in time.
func (a *API) preAuthTurn(ctx context.Context) (func(), error) {
	t := time.NewTimer(a.limits.PreAuthWait)
	defer t.Stop()
	select {
	case a.preAuth <- struct{}{}:
		return sync.OnceFunc(func() { <-a.preAuth }), nil
	case <-t.C:
		return nil, errBusy
	case <-ctx.Done():
		return nil, errBusy
	}
}

// smallBody is the largest body read before authentication without a
// turn: a login is a few hundred bytes. Such bodies cost at most this
// much per connection, and the connection caps bound the connections.
const smallBody = 16 << 10

// readParams reads the parameters, bounding the work done for a caller
// without an identity: for open endpoints, a small body is read first (a
// stalled one holds only its connection, until PreAuthBodyTimeout) and
// then a pre-authentication turn is taken for the rest; a large or
// unannounced body is read within the turn. Identified callers (already
// authenticated from the headers) read within BodyTimeout. release gives
// the turn back (safe to call more than once).
func (a *API) readParams(w http.ResponseWriter, req *http.Request, e *Endpoint) (map[string]any, func(), error) {
	none := func() {}
	if !e.Perm.World {
		raw, err := a.requestParams(w, req, a.limits.BodyTimeout)
		return raw, none, err
	}
	var raw map[string]any
	var err error
	small := req.ContentLength >= 0 && req.ContentLength <= smallBody
	if small {
		if raw, err = a.requestParams(w, req, a.limits.PreAuthBodyTimeout); err != nil {
			return nil, none, err
		}
	}
	release, err := a.preAuthTurn(req.Context())
	if err != nil {
		return nil, none, err
	}
	if !small {
		if raw, err = a.requestParams(w, req, a.limits.PreAuthBodyTimeout); err != nil {
			release()
			return nil, none, err
		}
	}
	return raw, release, nil
}

// drainMax is how much of a too large body is read and dropped before the
// answer, so that the client reads the 501 instead of a reset.
const drainMax = 1 << 20

// readBody reads at most maxBody bytes of the request body within d: the
// connection's read deadline is set for it, so a stalled body ends in an
// error instead of holding the connection.
func readBody(w http.ResponseWriter, req *http.Request, d time.Duration) (body []byte, done func(), err error) {
	done = func() {}
	if req.Body == nil || req.Body == http.NoBody {
		return nil, done, nil
	}
	if w != nil && d > 0 {
		rc := http.NewResponseController(w)
		if err := rc.SetReadDeadline(time.Now().Add(d)); err == nil {
			defer rc.SetReadDeadline(time.Time{})
		}
	}
	if req.ContentLength > maxBody {
		// Read (and drop) a bounded part of a body that is too large, within
		// the deadline: closing on a client still sending makes its kernel
		// answer with a reset that can swallow the 501 it should read.
		if req.ContentLength <= drainMax {
			io.Copy(io.Discard, io.LimitReader(req.Body, drainMax))
		}
		return nil, done, NotImplemented("for data too large")
	}
	body, done, err = readAll(req.Body, req.ContentLength)
	if err != nil {
		done()
		return nil, func() {}, &StatusError{Code: http.StatusBadRequest, Msg: "unable to read request body"}
	}
	if len(body) > maxBody {
		done()
		return nil, func() {}, NotImplemented("for data too large")
	}
	req.Body = http.NoBody // read to its end: the connection may serve another request (writeWithReason)
	return body, done, nil
}

// readAll reads at most maxBody+1 bytes of r. A body announced larger
// than smallBody (read within a pre-authentication turn or for an
// identified caller) gets its buffer at once instead of growing through
// copies, which for a 512 KiB JSON bomb made twice its size in garbage; a
// smaller one grows with what arrives, so a stalled body announcing more
// than it sends holds little. The large buffers are reused: a flood of
// JSON bombs made 10 MB of garbage a second, and the collections it
// caused. done gives the buffer back once the body is parsed (nothing
// keeps a reference to it: parsing copies what it keeps).
func readAll(r io.Reader, announced int64) (body []byte, done func(), err error) {
	if announced <= smallBody || announced > maxBody {
		body, err = io.ReadAll(io.LimitReader(r, maxBody+1))
		return body, func() {}, err
	}
	b := largeBodies.Get().(*bytes.Buffer)
	b.Reset()
	b.Grow(int(announced) + bytes.MinRead) // ReadFrom wants MinRead free to see the end
	_, err = b.ReadFrom(io.LimitReader(r, maxBody+1))
	return b.Bytes(), func() { largeBodies.Put(b) }, err
}

// largeBodies are the buffers of bodies larger than smallBody.
var largeBodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// errTooMany is the answer to a request with more parameters than allowed.
func errTooMany(max int) error {
	return BadRequest(fmt.Sprintf("too many parameters (more than %d)", max))
}

// decodeJSONObject decodes a JSON object body into raw, refusing more than
// maxKeys keys (at all levels) or nesting deeper than maxDepth before it
// builds anything: a small body cannot make a large map.
func decodeJSONObject(body []byte, raw map[string]any, l Limits) error {
	if err := scanJSON(body, l); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || dec.More() {
		return BadRequest("unable to parse JSON body - expected an object")
	}
	for k, v := range obj {
		raw[k] = v
	}
	return nil
}

// scanJSON walks the tokens of body counting keys and depth.
func scanJSON(body []byte, l Limits) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	depth, keys := 0, 0
	inObject := []bool{}
	expectKey := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return BadRequest("unable to parse JSON body - expected an object")
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				if depth++; depth > l.MaxDepth {
					return BadRequest(fmt.Sprintf("JSON body nested too deeply (more than %d levels)", l.MaxDepth))
				}
				inObject = append(inObject, d == '{')
				expectKey = d == '{'
			case '}', ']':
				depth--
				inObject = inObject[:len(inObject)-1]
				expectKey = len(inObject) > 0 && inObject[len(inObject)-1]
			}
			continue
		}
		if expectKey {
			if keys++; keys > l.MaxParams {
				return errTooMany(l.MaxParams)
			}
			expectKey = false
			continue
		}
		expectKey = len(inObject) > 0 && inObject[len(inObject)-1]
	}
}

// countParams is the number of parameters in a query or form string.
func countParams(s string) int {
	if s == "" {
		return 0
	}
	return strings.Count(s, "&") + strings.Count(s, ";") + 1
}
