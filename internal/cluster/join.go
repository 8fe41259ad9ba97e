package cluster

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"hostadm/internal/certs"
	"hostadm/internal/cfs"
)

// JoinParams are POST /cluster/config/join's.
type JoinParams struct {
	Hostname    string // a member's address
	Port        int    // its API port (hostadm; default 8006)
	Fingerprint string // its API certificate's SHA-256 fingerprint
	Password    string // root@pam's password there, or
	Token       string // an API token there with Sys.Modify on / (hostadm)
	Link0       string
	NodeID      int
	Votes       int
	Force       bool
}

// Join makes this standalone node a member of the cluster another node is
// in. It talks only to a server presenting the given fingerprint, asks it to
// add this node, writes what it answers and has the daemon restart on the
// cluster's store; the local store is replaced (and kept aside as a file).
// A node with guests is refused unless Force.
func (s *Service) Join(ctx context.Context, p JoinParams, log func(string)) error {
	if s.Clustered() {
		return ErrClustered
	}
	if s.cfg.Restart == nil {
		return errors.New("join the cluster through the daemon's API")
	}
	if err := s.checkJoinable(ctx, p.Force); err != nil {
		return err
	}
	purl, err := peerURL(s.cfg.PeerListen, s.cfg.Advertise)
	if err != nil {
		return err
	}
	rc := newRemote(p.Hostname, orDefault(p.Port, 8006), p.Fingerprint)
	log(fmt.Sprintf("Establishing API connection with host '%s'", p.Hostname))
	if err := rc.login(ctx, p.Password, p.Token); err != nil {
		return err
	}
	log("Request addition of this node")
	form := url.Values{"peer_url": {purl}, "api_url": {s.cfg.Advertise}}
	setInt(form, "nodeid", p.NodeID)
	setInt(form, "votes", p.Votes)
	if p.Link0 != "" {
		form.Set("link0", p.Link0)
	}
	if p.Force {
		form.Set("force", "1")
	}
	var res addReply
	if err := rc.call(ctx, "POST", "/cluster/config/nodes/"+url.PathEscape(s.cfg.Node), form, &res); err != nil {
		return err
	}
	l := Local{Cluster: res.Cluster, Node: s.cfg.Node, NodeID: res.NodeID, PeerURL: purl,
		Token: res.Token, InitialCluster: res.InitialCluster, Promote: true}
	if err := saveLocal(s.cfg.DataDir, l, []byte(res.CA), []byte(res.Cert), []byte(res.Key)); err != nil {
		return fmt.Errorf("write cluster config: %w", err)
	}
	log("Joined; restarting on the cluster's store")
	s.cfg.Restart()
	return nil
}

type addReply struct {
	Cluster        string `json:"cluster"`
	NodeID         int    `json:"nodeid"`
	Token          string `json:"cluster_token"`
	InitialCluster string `json:"initial_cluster"`
	CA             string `json:"ca"`
	Cert           string `json:"member_cert"`
	Key            string `json:"member_key"`
}

func setInt(v url.Values, k string, n int) {
	if n != 0 {
		v.Set(k, strconv.Itoa(n))
	}
}

// checkJoinable refuses a node with guests, as Proxmox does.
func (s *Service) checkJoinable(ctx context.Context, force bool) error {
	if force {
		return nil
	}
	entries, err := s.cfg.Store.List(ctx, "nodes/")
	if err != nil {
		return err
	}
	for _, e := range entries {
		if strings.Contains(e.Path, "/qemu-server/") || strings.Contains(e.Path, "/lxc/") {
			return errors.New("this host already contains virtual guests")
		}
	}
	return nil
}

// remote is an API client pinned to one certificate fingerprint.
type remote struct {
	base   string
	client *http.Client
	auth   func(*http.Request)
}

func newRemote(host string, port int, fingerprint string) *remote {
	want := strings.ToUpper(strings.TrimSpace(fingerprint))
	tlsCfg := &tls.Config{
		// The chain is not checked: the fingerprint the administrator
		// compared is, before the handshake completes and so before any
		// credential is sent.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("no server certificate")
			}
			sum := sha256.Sum256(cs.PeerCertificates[0].Raw)
			if got := fingerprintOf(sum[:]); got != want {
				return fmt.Errorf("Certificate fingerprint mismatch: expected %s, got %s", want, got)
			}
			return nil
		},
	}
	return &remote{
		base:   "https://" + net.JoinHostPort(host, strconv.Itoa(port)) + "/api2/json",
		client: &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsCfg}},
	}
}

func fingerprintOf(sum []byte) string {
	pairs := make([]string, len(sum))
	for i, c := range sum {
		pairs[i] = fmt.Sprintf("%02X", c)
	}
	return strings.Join(pairs, ":")
}

// login authenticates with a token or with root@pam's password.
func (r *remote) login(ctx context.Context, password, token string) error {
	if token != "" {
		r.auth = func(req *http.Request) { req.Header.Set("Authorization", "PVEAPIToken="+token) }
		return nil
	}
	if password == "" {
		return errors.New("password or token required")
	}
	var t struct {
		Ticket string `json:"ticket"`
		CSRF   string `json:"CSRFPreventionToken"`
	}
	form := url.Values{"username": {"root@pam"}, "password": {password}}
	if err := r.call(ctx, "POST", "/access/ticket", form, &t); err != nil {
		return err
	}
	r.auth = func(req *http.Request) {
		req.AddCookie(&http.Cookie{Name: "PVEAuthCookie", Value: t.Ticket})
		req.Header.Set("CSRFPreventionToken", t.CSRF)
	}
	return nil
}

// call sends one API call and decodes its data into out.
func (r *remote) call(ctx context.Context, method, path string, form url.Values, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, r.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if r.auth != nil {
		r.auth(req)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return err
	}
	var env struct {
		Data    json.RawMessage   `json:"data"`
		Message string            `json:"message"`
		Errors  map[string]string `json:"errors"`
	}
	json.Unmarshal(body, &env)
	if resp.StatusCode != http.StatusOK {
		msg := strings.TrimSpace(env.Message)
		if msg == "" {
			msg = resp.Status
		}
		if len(env.Errors) > 0 {
			msg += fmt.Sprintf(" %v", env.Errors)
		}
		return fmt.Errorf("%s %s on %s: %s", method, path, r.base, msg)
	}
	return json.Unmarshal(env.Data, out)
}

// JoinInfo is GET /cluster/config/join's answer.
func (s *Service) JoinInfo(ctx context.Context) (map[string]any, error) {
	m, err := s.Membership(ctx)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errors.New("unable to read the cluster config - node is not in a cluster")
	}
	e, err := s.cfg.Store.Get(ctx, MembershipPath)
	if err != nil {
		return nil, err
	}
	var list []map[string]any
	for _, n := range m.Sorted() {
		entry := map[string]any{"name": n.Name, "nodeid": n.NodeID, "quorum_votes": n.Votes,
			"ring0_addr": n.Link0, "pve_addr": addrOf(n), "pve_fp": s.NodeFingerprint(ctx, n.Name)}
		list = append(list, entry)
	}
	return map[string]any{
		"config_digest":  fmt.Sprintf("%x", sha256.Sum256(e.Data))[:40],
		"nodelist":       list,
		"preferred_node": s.cfg.Node,
		"totem":          map[string]any{"cluster_name": m.Name, "config_version": m.Version},
	}, nil
}

func addrOf(n *NodeInfo) string {
	if ip := net.ParseIP(hostOf(n.API)); ip != nil {
		return ip.String()
	}
	return n.Link0
}

// NodeFingerprint is the fingerprint of the certificate node's API shows:
// its custom certificate when it has one, else the CA-signed one.
func (s *Service) NodeFingerprint(ctx context.Context, node string) string {
	for _, p := range []string{certs.CustomCertPath(node), certs.NodeCertPath(node)} {
		if e, err := s.cfg.Store.Get(ctx, p); err == nil {
			return certs.Fingerprint(e.Data)
		} else if !errors.Is(err, cfs.ErrNotFound) {
			return ""
		}
	}
	return ""
}
