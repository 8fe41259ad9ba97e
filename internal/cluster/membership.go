package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"hostadm/internal/cfs"
)

// MembershipPath is the store file listing the cluster's nodes, hostadm's
// counterpart of corosync.conf's nodelist.
const MembershipPath = "hostadm/cluster.json"

// Membership is the cluster's node list.
type Membership struct {
	Name    string               `json:"name"`
	Version int                  `json:"config_version"`
	Nodes   map[string]*NodeInfo `json:"nodes"`
}

// NodeInfo is one member node.
type NodeInfo struct {
	Name    string `json:"name"`
	NodeID  int    `json:"nodeid"`
	Votes   int    `json:"quorum_votes"`
	Link0   string `json:"ring0_addr"` // the node's address
	API     string `json:"api"`        // https://host:port of its API
	PeerURL string `json:"peer_url"`   // its etcd member's peer URL
}

// Sorted returns the nodes by node id.
func (m *Membership) Sorted() []*NodeInfo {
	out := make([]*NodeInfo, 0, len(m.Nodes))
	for _, n := range m.Nodes {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].NodeID < out[j].NodeID })
	return out
}

func (m *Membership) nextID() int {
	id := 1
	for _, n := range m.Nodes {
		if n.NodeID >= id {
			id = n.NodeID + 1
		}
	}
	return id
}

// readMembership returns the membership and its store version.
func readMembership(ctx context.Context, s cfs.Store) (*Membership, int64, error) {
	e, err := s.Get(ctx, MembershipPath)
	if errors.Is(err, cfs.ErrNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	var m Membership
	if err := json.Unmarshal(e.Data, &m); err != nil {
		return nil, 0, fmt.Errorf("%s: %w", MembershipPath, err)
	}
	return &m, e.Version, nil
}

func putMembership(ctx context.Context, s cfs.Store, m *Membership, expect int64) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	_, err = s.Put(ctx, MembershipPath, append(b, '\n'), expect)
	return err
}

// updateMembership changes the membership under its version.
func updateMembership(ctx context.Context, s cfs.Store, fn func(*Membership) error) error {
	for range 10 {
		m, v, err := readMembership(ctx, s)
		if err != nil {
			return err
		}
		if m == nil {
			return errors.New("no cluster membership file")
		}
		if err := fn(m); err != nil {
			return err
		}
		m.Version++
		err = putMembership(ctx, s, m, v)
		if !errors.Is(err, cfs.ErrConflict) {
			return err
		}
	}
	return errors.New("membership kept changing")
}
