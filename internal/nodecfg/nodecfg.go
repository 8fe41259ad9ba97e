// Package nodecfg manages the node configuration file of the cluster file
// store (Proxmox's /etc/pve/nodes/NODE/config: description, Wake-on-LAN,
// ACME domains, start-all delay, ballooning target) and sends Wake-on-LAN
// packets to other nodes.
package nodecfg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"hostadm/internal/cfs"
	"hostadm/internal/host"
	"hostadm/internal/nodecfg/nodeconf"
)

// LockPath is Proxmox's lock around node config changes, shared with its
// tools and so at its path in the world-writable /var/lock; host.LockFile
// opens it safely (no symlinks, replaced unless root's and 0600).
const LockPath = "/var/lock/pvenode.lock"

// Config holds what the service needs.
type Config struct {
	Store  cfs.Store
	Root   host.Root
	Node   string // the local node
	Logger *slog.Logger
	// Send transmits a Wake-on-LAN packet; nil means SendMagic.
	Send func(ctx context.Context, p Packet) error
}

// Service reads and changes node configurations.
type Service struct {
	cfg Config
}

// New returns the service.
func New(cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Send == nil {
		cfg.Send = SendMagic
	}
	return &Service{cfg: cfg}
}

// StorePath is the node's config file in the store.
func StorePath(node string) string { return "nodes/" + node + "/config" }

// Loaded is a node config with what it was read from.
type Loaded struct {
	Config  *nodeconf.Config
	Digest  string // "" when the file does not exist
	Version int64  // cfs.NoVersion when the file does not exist
}

// Load reads a node's config; a missing file is an empty config.
func (s *Service) Load(ctx context.Context, node string) (*Loaded, error) {
	e, err := s.cfg.Store.Get(ctx, StorePath(node))
	if errors.Is(err, cfs.ErrNotFound) {
		return &Loaded{Config: &nodeconf.Config{Values: map[string]string{}}, Version: cfs.NoVersion}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read node config: %w", err)
	}
	c, err := nodeconf.Parse(bytes.NewReader(e.Data))
	if err != nil {
		return nil, err
	}
	c.Warnings = append(c.Warnings, dropInvalid(c)...)
	for _, w := range c.Warnings {
		s.cfg.Logger.Warn("node config", "node", node, "warning", w)
	}
	return &Loaded{Config: c, Digest: host.Digest(e.Data), Version: e.Version}, nil
}

// Get returns a node's config as the API shows it: every key, the
// description, and the digest (absent for a missing file).
func (s *Service) Get(ctx context.Context, node string) (map[string]any, error) {
	l, err := s.Load(ctx, node)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for k, v := range l.Config.Values {
		out[k] = typed(k, v)
	}
	if l.Config.Description != "" {
		out["description"] = l.Config.Description
	}
	if l.Digest != "" {
		out["digest"] = l.Digest
	}
	return out, nil
}

// Change is an update of a node config: values to set (stored verbatim,
// already validated against Props), keys to delete, and the digest the
// caller saw ("" for no check).
type Change struct {
	Set    map[string]string
	Delete []string
	Digest string
}

// Update applies a change under the node config lock: digest first, then
// the set values, then the deletions, then the ACME checks; nothing is
// written when any of it fails.
func (s *Service) Update(ctx context.Context, node string, ch Change) error {
	unlock, err := s.cfg.Root.Lock(ctx, LockPath, 10*time.Second)
	if err != nil {
		return err
	}
	defer unlock()
	l, err := s.Load(ctx, node)
	if err != nil {
		return err
	}
	if err := host.CheckDigest(l.Digest, ch.Digest); err != nil {
		return err
	}
	c := l.Config
	for k, v := range ch.Set {
		if k == "description" {
			c.Description = v
			continue
		}
		c.Values[k] = v
	}
	for _, k := range ch.Delete {
		if k == "description" {
			c.Description = ""
		}
		delete(c.Values, k)
	}
	if err := s.verify(ctx, c); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := c.Write(&buf); err != nil {
		return err
	}
	if _, err := s.cfg.Store.Put(ctx, StorePath(node), buf.Bytes(), l.Version); err != nil {
		return fmt.Errorf("write node config: %w", err)
	}
	return nil
}

// typed turns the integer keys into numbers for the API.
func typed(key, v string) any {
	switch key {
	case "startall-onboot-delay", "ballooning-target":
		var n int64
		if _, err := fmt.Sscan(v, &n); err == nil {
			return n
		}
	}
	return v
}

// knownProps are the schemas dropInvalid checks values against, built
// once: every read of a node config checks its keys, and building them
// (a format per ACME domain) was most of what a read allocated. Read
// only; Props gives callers a copy they may change.
var knownProps = sync.OnceValue(Props)

// dropInvalid removes known keys whose value does not validate, as
// Proxmox's parse_config does, and returns the warnings.
func dropInvalid(c *nodeconf.Config) []string {
	var warns []string
	props := knownProps()
	for k, v := range c.Values {
		p := props[k]
		if p == nil {
			continue
		}
		if _, msg := checkValue(p, v); msg != "" {
			warns = append(warns, fmt.Sprintf("parse error - '%s': %s", k, strings.TrimSpace(msg)))
			delete(c.Values, k)
		}
	}
	return warns
}
