package api

import (
	"context"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxBody is Proxmox's limit on request bodies.
const maxBody = 512 * 1024

// ServeHTTP serves /api2/<format>/<path>.
func (a *API) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	start := time.Now()
	rest, ok := strings.CutPrefix(req.URL.Path, "/api2/")
	if !ok {
		a.fail(w, req, "json", NotImplemented("no such uri"))
		return
	}
	format, path, _ := strings.Cut(rest, "/")
	path = "/" + path
	switch format {
	case "json", "extjs":
	case "":
		a.fail(w, req, "json", NotImplemented("no such uri"))
		return
	default:
		a.fail(w, req, "json", NotImplemented(fmt.Sprintf("no formatter for uri %s, %s", path, format)))
		return
	}
	rawPath := req.URL.EscapedPath()
	rawPath = rawPath[len("/api2/"+format):]
	e, pathParams := a.router.match(req.Method, rawPath)
	if e == nil {
		a.fail(w, req, format, NotImplemented(fmt.Sprintf("Method '%s %s' not implemented", req.Method, cleanURLPath(path))))
		return
	}
	r := &Request{Endpoint: e, Svc: a.svc, Node: a.svc.Node, Remote: remoteIP(req), HTTP: req}
	if e.Perm.World && e.NoToken && strings.HasPrefix(req.Header.Get("Authorization"), "PVEAPIToken") {
		a.fail(w, req, format, Forbidden(fmt.Sprintf("Permission check failed (URI '%s' not available with API token, need proper ticket.)", cleanURLPath(path))))
		return
	}
	// Who calls is settled from the headers before the body is read.
	if !e.Perm.World {
		id, err := a.authenticate(req)
		if err != nil {
			a.authFail(w, req, err, start)
			return
		}
		r.Identity = id
		req = identified(req)
		r.HTTP = req
	}
	if node, base := a.remoteNode(req.Context(), e, pathParams); node != "" {
		a.forward(w, req, format, node, base)
		return
	}
	raw, release, err := a.readParams(w, req, e)
	if err != nil {
		a.fail(w, req, format, err)
		return
	}
	defer release()
	res, err := a.call(req.Context(), r, pathParams, raw)
	release() // a failed login's delay below holds no turn
	if err != nil && statusOf(err) == http.StatusUnauthorized {
		a.authFail(w, req, err, start)
		return
	}
	if err != nil {
		a.fail(w, req, format, err)
		return
	}
	for _, c := range r.cookies {
		http.SetCookie(w, c)
	}
	if d, ok := res.Data.(*Download); ok {
		serveDownload(w, req, d)
		return
	}
	a.ok(w, format, res)
}

// authenticate reads a ticket (cookie or header) or an API token.
func (a *API) authenticate(req *http.Request) (Identity, error) {
	if h := req.Header.Get("Authorization"); h != "" {
		if tok, ok := cutAny(h, "PVEAPIToken=", "PVEAPIToken "); ok {
			id, err := a.svc.Auth.VerifyAPIToken(tok)
			if err != nil {
				return Identity{}, Unauthorized("Authentication failed!")
			}
			return Identity{User: id.User, TokenID: id.TokenID}, nil
		}
		if t, ok := strings.CutPrefix(h, "PVEAuthCookie="); ok {
			return a.ticketIdentity(req, t)
		}
	}
	if c, err := req.Cookie("PVEAuthCookie"); err == nil && c.Value != "" {
		t, err := url.PathUnescape(c.Value) // not QueryUnescape: raw tickets carry "+"
		if err != nil {
			return Identity{}, Unauthorized("Authentication failed!")
		}
		return a.ticketIdentity(req, t)
	}
	return Identity{}, Unauthorized("No ticket")
}

func (a *API) ticketIdentity(req *http.Request, ticket string) (Identity, error) {
	user, err := a.svc.Auth.VerifyTicket(ticket)
	if err != nil {
		return Identity{}, Unauthorized("Authentication failed!")
	}
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		if !a.svc.Auth.VerifyCSRF(req.Header.Get("CSRFPreventionToken"), user) {
			return Identity{}, Unauthorized("Permission denied - invalid csrf token")
		}
	}
	return Identity{User: user, Ticket: true}, nil
}

func cutAny(s string, prefixes ...string) (string, bool) {
	for _, p := range prefixes {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return rest, true
		}
	}
	return "", false
}

// authFail answers a 401 once failDelay has passed since the request came
// in, as Proxmox does: padding from the start hides how long the check
// took, so timing tells nothing about which users exist. Authentication
// failures are a real 401 in every format (the web UI needs the status to
// show its login again), with an empty body.
func (a *API) authFail(w http.ResponseWriter, req *http.Request, err error, start time.Time) {
	a.svc.Logger.Info("authentication failure", "remote", remoteIP(req), "path", req.URL.Path, "reason", err.Error())
	sleep(req.Context(), a.failDelay-time.Since(start))
	a.fail(w, req, "json", err)
}

func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// requestParams collects query and body parameters (the query wins),
// reading the body within bodyTimeout.
func (a *API) requestParams(w http.ResponseWriter, req *http.Request, bodyTimeout time.Duration) (map[string]any, error) {
	raw := map[string]any{}
	body, done, err := readBody(w, req, bodyTimeout)
	if err != nil {
		return nil, err
	}
	defer done() // the parameters below copy what they keep of body
	if countParams(req.URL.RawQuery) > a.limits.MaxParams {
		return nil, errTooMany(a.limits.MaxParams)
	}
	if len(body) > 0 {
		if req.Method == http.MethodGet || req.Method == http.MethodDelete || req.Method == http.MethodHead {
			return nil, NotImplemented(fmt.Sprintf("Unexpected content for method '%s'", req.Method))
		}
		if err := parseBody(req.Header.Get("Content-Type"), body, raw, a.limits); err != nil {
			return nil, err
		}
	}
	q, err := url.ParseQuery(req.URL.RawQuery)
	if err != nil {
		return nil, BadRequest("unable to parse query string")
	}
	addForm(raw, q)
	return raw, nil
}

func parseBody(ctype string, body []byte, raw map[string]any, l Limits) error {
	mt := "application/x-www-form-urlencoded"
	if ctype != "" {
		var err error
		if mt, _, err = mime.ParseMediaType(ctype); err != nil {
			return &StatusError{Code: 506, Msg: "unable to parse content type"}
		}
	}
	switch mt {
	case "application/x-www-form-urlencoded":
		if countParams(string(body)) > l.MaxParams {
			return errTooMany(l.MaxParams)
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return BadRequest("unable to parse form data")
		}
		addForm(raw, form)
	case "application/json":
		return decodeJSONObject(body, raw, l)
	default:
		return &StatusError{Code: 506, Msg: fmt.Sprintf("unsupported content type '%s'", mt)}
	}
	return nil
}

func addForm(raw map[string]any, form url.Values) {
	for k, vs := range form {
		if len(vs) == 1 {
			raw[k] = vs[0]
		} else {
			raw[k] = vs
		}
	}
}

func remoteIP(req *http.Request) string {
	host, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		return req.RemoteAddr
	}
	return host
}
