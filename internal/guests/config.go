package guests

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"hostadm/internal/cfs"
	"hostadm/internal/guests/vmconf"
	"hostadm/internal/host"
	"hostadm/internal/schema"
)

// Change is an update of a VM config: values to set, keys to delete, and
// the digest the caller saw ("" skips the check).
type Change struct {
	Set    map[string]string
	Delete []string
	Digest string
}

// checkChange validates every key and value; nothing is written when it fails.
func checkChange(ch Change) error {
	errs := schema.ParamError{}
	for k, v := range ch.Set {
		if msg := CheckValue(k, v); msg != "" {
			errs.Add(k, msg)
		}
	}
	for _, k := range ch.Delete {
		if _, ok := ch.Set[k]; ok {
			errs.Add("delete", fmt.Sprintf("cannot set and delete '%s' at the same time", k))
		} else if KeySchemas()[k] == nil {
			errs.Add(k, NotSupported(k))
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// apply applies a checked change to a config and checks the result.
func apply(c *vmconf.Config, ch Change) error {
	for _, k := range ch.Delete {
		if k == "description" {
			c.SetDescription("")
		}
		c.Delete(k)
	}
	for k, v := range ch.Set {
		if k == "description" {
			c.SetDescription(v)
			continue
		}
		c.Set(k, v)
	}
	st := SettingsOf(c)
	if b, ok := c.Get("balloon"); ok && atoi(b, 0) > st.MemoryMiB {
		return schema.Fail("balloon", "balloon value too large (must be smaller than assigned memory)")
	}
	return c.Validate()
}

// Create writes the config of a new VM on the local node.
func (s *Service) Create(ctx context.Context, vmid int, set map[string]string) error {
	if err := checkChange(Change{Set: set}); err != nil {
		return err
	}
	unlock, err := s.cfg.Store.Lock(ctx, "vmid-alloc", 10*time.Second)
	if err != nil {
		return fmt.Errorf("lock vmid allocation: %w", err)
	}
	defer unlock()
	if node, used, err := s.Locate(ctx, vmid); err != nil {
		return err
	} else if used {
		return fmt.Errorf("VM %d already exists on node '%s'", vmid, node)
	}
	c := &vmconf.Config{}
	uuid := newUUID()
	c.Set("smbios1", "uuid="+uuid)
	c.Set("vmgenid", newUUID())
	c.Set("meta", fmt.Sprintf("creation-qemu=7.2.0,ctime=%d", s.cfg.Clock().Unix()))
	if err := apply(c, Change{Set: set}); err != nil {
		return err
	}
	if _, err := s.cfg.Store.Put(ctx, ConfPath(s.cfg.Node, vmid), c.Bytes(), cfs.NoVersion); err != nil {
		return fmt.Errorf("write vm %d config: %w", vmid, err)
	}
	return nil
}

// Update changes a VM config of the local node under the VM's lock.
func (s *Service) Update(ctx context.Context, vmid int, ch Change) error {
	if err := checkChange(ch); err != nil {
		return err
	}
	l, unlock, err := s.lockedLoad(ctx, vmid)
	if err != nil {
		return err
	}
	defer unlock()
	if err := host.CheckDigest(l.Digest, ch.Digest); err != nil {
		return err
	}
	if err := apply(l.Config, ch); err != nil {
		return err
	}
	if _, err := s.cfg.Store.Put(ctx, ConfPath(l.Node, vmid), l.Config.Bytes(), l.Version); err != nil {
		return fmt.Errorf("write vm %d config: %w", vmid, err)
	}
	return nil
}

// Destroy removes a stopped VM's config and runtime files.
func (s *Service) Destroy(ctx context.Context, vmid int) error {
	l, unlock, err := s.lockedLoad(ctx, vmid)
	if err != nil {
		return err
	}
	defer unlock()
	if s.Running(vmid) != nil {
		return fmt.Errorf("VM %d is running - destroy failed: %w", vmid, ErrRunning)
	}
	if err := s.cfg.Store.Delete(ctx, ConfPath(l.Node, vmid), l.Version); err != nil && !errors.Is(err, cfs.ErrNotFound) {
		return fmt.Errorf("remove vm %d config: %w", vmid, err)
	}
	s.cleanupRuntime(vmid)
	return nil
}

// lockedLoad takes the VM's lock and reads its config under it; the caller
// unlocks.
func (s *Service) lockedLoad(ctx context.Context, vmid int) (*Loaded, func(), error) {
	unlock, err := s.cfg.Store.Lock(ctx, lockName(vmid), 10*time.Second)
	if err != nil {
		return nil, nil, fmt.Errorf("lock vm %d: %w", vmid, err)
	}
	l, err := s.Load(ctx, vmid)
	if err != nil {
		unlock()
		return nil, nil, err
	}
	return l, unlock, nil
}

func lockName(vmid int) string { return fmt.Sprintf("vm-%d", vmid) }

// ConfigMap is a VM config as the API returns it: every key of the main
// section (unknown ones included, as strings), numbers for the numeric
// supported keys, the description, and the digest.
func ConfigMap(l *Loaded) map[string]any {
	out := map[string]any{"digest": l.Digest}
	for _, k := range l.Config.Keys() {
		v, _ := l.Config.Get(k)
		out[k] = v
		switch k {
		case "balloon", "shares", "cores", "sockets", "onboot":
			if n := atoi(v, -1); n >= 0 {
				out[k] = n
			}
		}
	}
	if d := l.Config.Description(); d != "" {
		out["description"] = d
	}
	return out
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := fmt.Sprintf("%x", b)
	return strings.Join([]string{h[0:8], h[8:12], h[12:16], h[16:20], h[20:32]}, "-")
}
