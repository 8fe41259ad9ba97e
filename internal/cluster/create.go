package cluster

import (
	"context"
	"fmt"
	"net"
)

// CreateParams are POST /cluster/config's.
type CreateParams struct {
	Name   string
	Link0  string // this node's address; default the --advertise host
	NodeID int    // default 1
	Votes  int    // default 1
}

// Create founds a cluster with this node as its only member: it signs the
// member's certificate with the node's CA, writes the local cluster config,
// and has the daemon restart, which starts the member and copies the node's
// store into it (Local.Seed).
func (s *Service) Create(ctx context.Context, p CreateParams) error {
	if s.Clustered() {
		return ErrClustered
	}
	if s.cfg.Restart == nil {
		return fmt.Errorf("create the cluster through the daemon's API")
	}
	purl, err := peerURL(s.cfg.PeerListen, s.cfg.Advertise)
	if err != nil {
		return err
	}
	self := &NodeInfo{Name: s.cfg.Node, NodeID: orDefault(p.NodeID, 1), Votes: orDefault(p.Votes, 1),
		Link0: p.Link0, API: s.cfg.Advertise, PeerURL: purl}
	if self.Link0 == "" {
		self.Link0 = hostOf(s.cfg.Advertise)
	}
	caPEM, certPEM, keyPEM, err := s.memberCert(ctx, s.cfg.Node, purl)
	if err != nil {
		return err
	}
	l := Local{Cluster: p.Name, Node: s.cfg.Node, NodeID: self.NodeID, PeerURL: purl,
		Token: randomToken(p.Name), InitialCluster: s.cfg.Node + "=" + purl,
		New: true, Seed: true, Self: self}
	if err := saveLocal(s.cfg.DataDir, l, caPEM, certPEM, keyPEM); err != nil {
		return fmt.Errorf("write cluster config: %w", err)
	}
	s.cfg.Logger.Info("cluster created; restarting on the cluster store", "cluster", p.Name)
	s.cfg.Restart()
	return nil
}

// memberCert signs a member certificate for node whose peer URL is purl.
func (s *Service) memberCert(ctx context.Context, node, purl string) (caPEM, certPEM, keyPEM []byte, err error) {
	caPEM, err = s.cfg.Certs.CACert(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	host := hostOf(purl)
	var ips []net.IP
	var hosts []string
	if ip := net.ParseIP(host); ip != nil {
		ips = append(ips, ip)
	} else {
		hosts = append(hosts, host)
	}
	certPEM, keyPEM, err = s.cfg.Certs.SignPeer(ctx, node, hosts, ips)
	return caPEM, certPEM, keyPEM, err
}

func orDefault(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}
