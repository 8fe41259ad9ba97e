package api

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"
)

// proxiedHeader marks a call one node forwarded to another, so that it is
// never forwarded again.
const proxiedHeader = "X-Hostadm-Proxied-From"

// statusUnreachable is Proxmox's status for a node that cannot be reached.
const statusUnreachable = 595

// proxyPool keeps one transport per cluster CA, so forwarded calls reuse
// their TLS connections.
type proxyPool struct {
	mu    sync.Mutex
	caPEM []byte
	tr    *http.Transport
}

// remoteNode names the other cluster node a call belongs to, "" when it is
// for this node (or the endpoint names no node).
func (a *API) remoteNode(ctx context.Context, e *Endpoint, pathParams map[string]string) (string, string) {
	node, ok := pathParams["node"]
	c := a.svc.Cluster
	if !ok || e.AnyNode || c == nil || !c.Clustered() || node == "localhost" || strings.EqualFold(node, a.svc.Node) {
		return "", ""
	}
	api, ok := c.NodeAPI(ctx, node)
	if !ok {
		return "", ""
	}
	return node, api
}

// forward sends the call as it came (the caller's ticket or token and CSRF
// token included: every node of the cluster accepts them) to the node's
// API, verified against the cluster CA, and relays the answer. A node that
// cannot be reached answers 595, as in Proxmox.
func (a *API) forward(w http.ResponseWriter, req *http.Request, format, node, base string) {
	if req.Header.Get(proxiedHeader) != "" {
		a.fail(w, req, format, fmt.Errorf("node %s: call was already forwarded once", node))
		return
	}
	target, err := url.Parse(base)
	if err != nil {
		a.fail(w, req, format, fmt.Errorf("node %s: bad API address %q", node, base))
		return
	}
	tr, err := a.transport(req.Context())
	if err != nil {
		a.fail(w, req, format, err)
		return
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = target.Host
			pr.Out.Header.Set(proxiedHeader, a.svc.Node)
			pr.SetXForwarded()
		},
		Transport: tr,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			a.fail(w, r, format, &StatusError{Code: statusUnreachable, Msg: unreachableMessage(node, err)})
		},
	}
	rp.ServeHTTP(w, req)
}

func unreachableMessage(node string, err error) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return fmt.Sprintf("%s: %v", node, op.Err)
	}
	return fmt.Sprintf("%s: %v", node, err)
}

// transport returns the transport trusting the current cluster CA.
func (a *API) transport(ctx context.Context) (*http.Transport, error) {
	caPEM, err := a.svc.Certs.CACert(ctx)
	if err != nil {
		return nil, err
	}
	p := &a.proxies
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tr != nil && bytes.Equal(p.caPEM, caPEM) {
		return p.tr, nil
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("cluster CA certificate unreadable")
	}
	if p.tr != nil {
		p.tr.CloseIdleConnections()
	}
	p.tr = &http.Transport{
		TLSClientConfig:       &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		DialContext:           (&net.Dialer{Timeout: 3 * time.Second}).DialContext,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: 5 * time.Minute,
		MaxIdleConnsPerHost:   8,
		IdleConnTimeout:       time.Minute,
	}
	p.caPEM = caPEM
	return p.tr, nil
}

// askNode makes a GET call on another node's API with the caller's own
// credentials (the cookie or token header of req) and returns its data.
func (a *API) askNode(ctx context.Context, req *http.Request, base, path string) (any, error) {
	tr, err := a.transport(ctx)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	out, err := http.NewRequestWithContext(ctx, "GET", strings.TrimRight(base, "/")+"/api2/json"+path, nil)
	if err != nil {
		return nil, err
	}
	for _, h := range []string{"Authorization", "Cookie"} {
		if v := req.Header.Get(h); v != "" {
			out.Header.Set(h, v)
		}
	}
	out.Header.Set(proxiedHeader, a.svc.Node)
	resp, err := (&http.Client{Transport: tr}).Do(out)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s on %s: %s", path, base, resp.Status)
	}
	var env struct {
		Data any `json:"data"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(&env); err != nil {
		return nil, err
	}
	return env.Data, nil
}
