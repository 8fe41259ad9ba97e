package cluster

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// AddParams are POST /cluster/config/nodes/{node}'s, asked of a member by a
// joining node.
type AddParams struct {
	Node    string
	NodeID  int
	Votes   int
	Link0   string
	PeerURL string // hostadm: the joining node's member peer URL
	API     string // hostadm: the joining node's API URL
	Force   bool
}

// AddResult is what the joining node needs to start its member.
type AddResult struct {
	Cluster        string
	NodeID         int
	Token          string
	InitialCluster string
	CA, Cert, Key  []byte
}

// AddNode adds a node: its member joins as a learner (it does not count for
// quorum until it has caught up and promoted itself), its certificate is
// signed, and it enters the membership file.
func (s *Service) AddNode(ctx context.Context, p AddParams) (*AddResult, error) {
	rt := s.cfg.Runtime
	if rt == nil {
		return nil, ErrNotClustered
	}
	m, _, err := readMembership(ctx, s.cfg.Store)
	if err != nil {
		return nil, err
	}
	if m.Nodes[p.Node] != nil && !p.Force {
		return nil, fmt.Errorf("node %s already defined in the cluster", p.Node)
	}
	nodeID := p.NodeID
	if nodeID == 0 {
		nodeID = m.nextID()
	}
	for _, n := range m.Nodes {
		if n.NodeID == nodeID && n.Name != p.Node {
			return nil, fmt.Errorf("nodeid %d already used by node %s", nodeID, n.Name)
		}
	}
	if p.Force {
		if err := s.removeMember(ctx, p.Node); err != nil {
			return nil, err
		}
	}
	initial, err := s.addLearner(ctx, p)
	if err != nil {
		return nil, err
	}
	caPEM, certPEM, keyPEM, err := s.memberCert(ctx, p.Node, p.PeerURL)
	if err != nil {
		return nil, err
	}
	link := p.Link0
	if link == "" {
		link = hostOf(p.API)
	}
	err = updateMembership(ctx, s.cfg.Store, func(m *Membership) error {
		m.Nodes[p.Node] = &NodeInfo{Name: p.Node, NodeID: nodeID, Votes: orDefault(p.Votes, 1),
			Link0: link, API: p.API, PeerURL: p.PeerURL}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &AddResult{Cluster: rt.Local.Cluster, NodeID: nodeID, Token: rt.Local.Token,
		InitialCluster: initial, CA: caPEM, Cert: certPEM, Key: keyPEM}, nil
}

// addLearner adds the member and returns the initial-cluster string the
// new member starts with.
func (s *Service) addLearner(ctx context.Context, p AddParams) (string, error) {
	cli := s.cfg.Runtime.Store.Client()
	// etcd refuses a change of membership until every member has been
	// connected for a few seconds (strict reconfiguration check): right
	// after the previous join it answers "unhealthy cluster" for a while.
	resp, err := cli.MemberAddAsLearner(ctx, []string{p.PeerURL})
	for deadline := time.Now().Add(20 * time.Second); err != nil &&
		strings.Contains(err.Error(), "unhealthy cluster") && time.Now().Before(deadline); {
		time.Sleep(250 * time.Millisecond)
		resp, err = cli.MemberAddAsLearner(ctx, []string{p.PeerURL})
	}
	if err != nil {
		return "", fmt.Errorf("add etcd member %s: %w", p.PeerURL, err)
	}
	var parts []string
	for _, mb := range resp.Members {
		name := mb.Name
		if mb.ID == resp.Member.ID {
			name = p.Node
		}
		for _, u := range mb.PeerURLs {
			parts = append(parts, name+"="+u)
		}
	}
	return strings.Join(parts, ","), nil
}

// removeMember removes node's etcd member, if it has one.
func (s *Service) removeMember(ctx context.Context, node string) error {
	cli := s.cfg.Runtime.Store.Client()
	list, err := cli.MemberList(ctx)
	if err != nil {
		return fmt.Errorf("list etcd members: %w", err)
	}
	m, _, err := readMembership(ctx, s.cfg.Store)
	if err != nil {
		return err
	}
	for _, mb := range list.Members {
		if mb.Name == node || (m != nil && m.Nodes[node] != nil && contains(mb.PeerURLs, m.Nodes[node].PeerURL)) {
			if _, err := cli.MemberRemove(ctx, mb.ID); err != nil {
				return fmt.Errorf("remove etcd member of %s: %w", node, err)
			}
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// DelNode removes a node from the cluster: its member, then its entry.
func (s *Service) DelNode(ctx context.Context, node string) error {
	if s.cfg.Runtime == nil {
		return ErrNotClustered
	}
	if node == s.cfg.Node {
		return errors.New("Cannot delete myself from cluster!")
	}
	m, _, err := readMembership(ctx, s.cfg.Store)
	if err != nil {
		return err
	}
	if m.Nodes[node] == nil {
		return fmt.Errorf("Node/IP: %s is not a known host of the cluster.", node)
	}
	if err := s.removeMember(ctx, node); err != nil {
		return err
	}
	return updateMembership(ctx, s.cfg.Store, func(m *Membership) error {
		delete(m.Nodes, node)
		return nil
	})
}

// Expected is pvecm expected. etcd has no expected-votes setting: a node
// that lost its quorum can only go on alone, as a new one-member cluster
// made from its copy of the store (the other nodes must join again). So
// 1 is accepted on a node without quorum; on a quorate cluster nothing
// needs changing.
func (s *Service) Expected(ctx context.Context, votes int) error {
	rt := s.cfg.Runtime
	if rt == nil {
		return ErrNotClustered
	}
	if s.Quorate() {
		return nil
	}
	if votes != 1 {
		return fmt.Errorf("unable to set expected votes to %d: without quorum only 1 is possible (this node goes on alone)", votes)
	}
	if s.cfg.Restart == nil {
		return errors.New("set the expected votes through the daemon's API")
	}
	rt.Local.ForceNew = true
	if err := saveLocal(s.cfg.DataDir, rt.Local, nil, nil, nil); err != nil {
		return err
	}
	s.cfg.Logger.Warn("no quorum: restarting as a one-member cluster", "node", s.cfg.Node)
	s.cfg.Restart()
	return nil
}
