// Package storage keeps storage.cfg, Proxmox VE's storage configuration,
// in the cluster file store through the shared section-config codec, and
// reports each storage's usage on this node. It holds what the disk
// endpoints' add_storage and cleanup-config need and the /storage API.
package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"hostadm/internal/cfs"
	"hostadm/internal/schema"
	"hostadm/internal/sectioncfg"
)

// Path is storage.cfg's path in the cluster file store.
const Path = "storage.cfg"

// DefaultConfig is what Proxmox uses when storage.cfg does not exist.
const DefaultConfig = "dir: local\n\tpath /var/lib/vz\n\tcontent iso,vztmpl,backup\n\n"

// lockTimeout bounds the wait for the store's storage lock.
const lockTimeout = 10 * time.Second

// contentTypes are the content types each storage type supports.
var contentTypes = map[string][]string{
	"dir":     {"images", "rootdir", "vztmpl", "iso", "backup", "snippets", "import", "none"},
	"btrfs":   {"images", "rootdir", "vztmpl", "iso", "backup", "snippets", "import", "none"},
	"lvm":     {"images", "rootdir", "none"},
	"lvmthin": {"images", "rootdir", "none"},
	"zfspool": {"images", "rootdir", "none"},
}

// Service reads and changes storage.cfg.
type Service struct {
	store cfs.Store
	node  string
	sch   *sectioncfg.Schema
}

// New returns a Service for the local node.
func New(store cfs.Store, node string) *Service {
	return &Service{store: store, node: node, sch: Schema()}
}

// Node is the local node's name.
func (s *Service) Node() string { return s.node }

// Read parses storage.cfg (the default config when it does not exist) and
// returns it with the store version it came from (0: none).
func (s *Service) Read(ctx context.Context) (*sectioncfg.Config, int64, error) {
	e, err := s.store.Get(ctx, Path)
	raw := []byte(DefaultConfig)
	switch {
	case errors.Is(err, cfs.ErrNotFound):
		e.Version = cfs.NoVersion
	case err != nil:
		return nil, 0, err
	default:
		raw = e.Data
	}
	cfg, _, err := sectioncfg.Parse(bytes.NewReader(raw), s.sch)
	if err != nil {
		return nil, 0, fmt.Errorf("parse %s: %w", Path, err)
	}
	return cfg, e.Version, nil
}

// Change runs fn on storage.cfg under the store's storage lock and writes
// the result when fn succeeds; nothing is written on error.
func (s *Service) Change(ctx context.Context, fn func(*sectioncfg.Config) error) error {
	unlock, err := s.store.Lock(ctx, "storage", lockTimeout)
	if err != nil {
		return fmt.Errorf("lock %s: %w", Path, err)
	}
	defer unlock()
	cfg, version, err := s.Read(ctx)
	if err != nil {
		return err
	}
	if err := fn(cfg); err != nil {
		return err
	}
	var b bytes.Buffer
	if err := cfg.Write(&b); err != nil {
		return err
	}
	_, err = s.store.Put(ctx, Path, b.Bytes(), version)
	return err
}

// Create adds a storage after checking its content types.
func (s *Service) Create(ctx context.Context, typ, id string, values map[string]any) error {
	if err := checkContent(typ, values); err != nil {
		return err
	}
	return s.Change(ctx, func(cfg *sectioncfg.Config) error { return cfg.Create(typ, id, values) })
}

// Update changes a storage (digest-checked when digest is set).
func (s *Service) Update(ctx context.Context, id string, values map[string]any, del []string, digest string) error {
	return s.Change(ctx, func(cfg *sectioncfg.Config) error {
		if sec := cfg.Section(id); sec != nil {
			if err := checkContent(sec.Type, values); err != nil {
				return err
			}
		}
		return cfg.Update(id, values, del, digest)
	})
}

// Delete removes a storage.
func (s *Service) Delete(ctx context.Context, id string) error {
	return s.Change(ctx, func(cfg *sectioncfg.Config) error { return cfg.Delete(id) })
}

func checkContent(typ string, values map[string]any) error {
	c, ok := values["content"].(string)
	if !ok {
		return nil
	}
	for _, ct := range schema.SplitList(c) {
		if !slices.Contains(contentTypes[typ], ct) {
			return schema.ParamError{"content": fmt.Sprintf("storage does not support content type '%s'", ct)}
		}
	}
	return nil
}

// Nodes is a section's node list; nil means every node.
func Nodes(sec *sectioncfg.Section) []string {
	n, _ := sec.Props["nodes"].(string)
	if n == "" {
		return nil
	}
	return schema.SplitList(n)
}

// OnNode tells whether a storage is configured for node.
func OnNode(sec *sectioncfg.Section, node string) bool {
	n := Nodes(sec)
	return n == nil || slices.Contains(n, node)
}

// Add is Proxmox's create_or_update for the disk endpoints' add_storage:
// a new storage is created (disabled when disabled is set); an existing
// one must match type and the verify keys and gets this node added.
func (s *Service) Add(ctx context.Context, id, typ string, values map[string]any, verify []string, disabled bool) error {
	return s.Change(ctx, s.addEdit(id, typ, values, verify, disabled))
}

// addEdit is Add's change of storage.cfg.
func (s *Service) addEdit(id, typ string, values map[string]any, verify []string, disabled bool) func(*sectioncfg.Config) error {
	return func(cfg *sectioncfg.Config) error {
		sec := cfg.Section(id)
		if sec == nil {
			v := map[string]any{"nodes": s.node}
			for k, x := range values {
				v[k] = x
			}
			if disabled {
				v["disable"] = true
			}
			return cfg.Create(typ, id, v)
		}
		nodes := Nodes(sec)
		if nodes == nil || slices.Contains(nodes, s.node) {
			return fmt.Errorf("Storage ID '%s' already exists on node %s", id, s.node)
		}
		if sec.Type != typ {
			return fmt.Errorf("Option 'type' (%s) does not match existing storage configuration '%s'", typ, sec.Type)
		}
		for _, k := range verify {
			have := fmt.Sprint(sec.Props[k])
			if sec.Props[k] == nil {
				return fmt.Errorf("Option '%s' is not configured for storage '%s', expected it to be '%v'", k, id, values[k])
			}
			if have != fmt.Sprint(values[k]) {
				return fmt.Errorf("Option '%s' (%v) does not match existing storage configuration '%s'", k, values[k], have)
			}
		}
		nodes = append(nodes, s.node)
		slices.Sort(nodes)
		return cfg.Update(id, map[string]any{"nodes": strings.Join(nodes, ",")}, nil, "")
	}
}

// Enable clears a storage's disable flag (add_storage after success).
func (s *Service) Enable(ctx context.Context, id string) error {
	return s.Change(ctx, func(cfg *sectioncfg.Config) error {
		sec := cfg.Section(id)
		if sec == nil || sec.Props["disable"] == nil {
			return nil
		}
		return cfg.Update(id, nil, []string{"disable"}, "")
	})
}

// CleanupForNode is Proxmox's cleanup_storages_for_node: every matching
// storage configured on this node loses the node, or is removed when it
// was configured for this node only (or for all nodes of this one-node
// cluster).
func (s *Service) CleanupForNode(ctx context.Context, match func(*sectioncfg.Section) bool) error {
	return s.Change(ctx, func(cfg *sectioncfg.Config) error {
		for _, id := range cfg.IDs() {
			sec := cfg.Section(id)
			if !match(sec) || !OnNode(sec, s.node) {
				continue
			}
			others := slices.DeleteFunc(Nodes(sec), func(n string) bool { return n == s.node })
			if len(others) > 0 {
				if err := cfg.Update(id, map[string]any{"nodes": strings.Join(others, ",")}, nil, ""); err != nil {
					return err
				}
				continue
			}
			if err := cfg.Delete(id); err != nil {
				return err
			}
		}
		return nil
	})
}
