// Package guests runs hostadm's virtual machines: their configurations in
// Proxmox's qemu-server format (nodes/NODE/qemu-server/VMID.conf in the
// cluster store), one QEMU process per running VM driven over QMP, the
// power actions (start, stop, shutdown, reboot, reset, suspend, resume),
// the node's bulk actions (startall, stopall, suspendall, migrateall) with
// the ordering rules of Proxmox's Nodes.pm, and auto-ballooning toward the
// node's ballooning target.
//
// A VM without disks or NICs boots into its firmware and idles; that is
// the whole guest model: disks, NICs and raw QEMU arguments are refused.
package guests

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strconv"
	"sync"
	"time"

	"hostadm/internal/cfs"
	"hostadm/internal/guests/vmconf"
	"hostadm/internal/host"
	"hostadm/internal/tasks"
)

// RunDir is where each VM's QMP socket, pid file and QEMU log live.
const RunDir = "/var/run/qemu-server"

// Config holds what the service needs.
type Config struct {
	Root   host.Root
	Store  cfs.Store
	Node   string // the local node
	Logger *slog.Logger
	Clock  func() time.Time
	// QEMU is the emulator binary; "" means qemu-system-x86_64 on PATH.
	QEMU string
	// Accel forces "kvm" or "tcg"; "" uses KVM when /dev/kvm can be
	// opened and TCG otherwise.
	Accel string
	// Sleep waits between bulk steps (startup delays); nil sleeps for real
	// and stops early when ctx ends.
	Sleep func(ctx context.Context, d time.Duration) error
	// MaxWorkers is datacenter.cfg's max_workers; 0 means unset.
	MaxWorkers int
	// Tasks runs power actions and bulk actions as tasks.
	Tasks *tasks.Manager
	// Nodes lists the cluster's nodes; nil: only the local node.
	Nodes func(ctx context.Context) ([]string, error)
	// NodeAddr is a node's cluster address, where it receives migrations;
	// nil: 127.0.0.1.
	NodeAddr func(ctx context.Context, node string) (string, error)
	// Online tells whether a cluster node is reachable; nil: all are.
	Online func(ctx context.Context, node string) bool
}

// Service manages the VMs of the local node.
type Service struct {
	cfg Config

	mu    sync.Mutex
	locks map[int]*sync.Mutex // per VM: one QMP client and one action at a time
	cpu   map[int]cpuSample   // last CPU sample per VM, for the usage figure
	bal   balloonState
}

// New returns the service.
func New(cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.QEMU == "" {
		cfg.QEMU = "qemu-system-x86_64"
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleepCtx
	}
	return &Service{cfg: cfg, locks: map[int]*sync.Mutex{}, cpu: map[int]cpuSample{}}
}

// Node is the local node's name.
func (s *Service) Node() string { return s.cfg.Node }

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// vmLock serializes actions on one VM.
func (s *Service) vmLock(vmid int) *sync.Mutex {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.locks[vmid]
	if l == nil {
		l = &sync.Mutex{}
		s.locks[vmid] = l
	}
	return l
}

// ConfPath is a VM's config file in the store.
func ConfPath(node string, vmid int) string {
	return fmt.Sprintf("nodes/%s/qemu-server/%d.conf", node, vmid)
}

var reConfPath = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^nodes/([^/]+)/qemu-server/(\d+)\.conf$`) })

// Errors callers test with errors.Is.
var (
	ErrNoVM       = errors.New("no such VM")
	ErrRunning    = errors.New("VM is running")
	ErrNotRunning = errors.New("not running")
)

// NoVMError is Proxmox's message for a VMID without a config on the node.
type NoVMError struct {
	VMID int
	Node string
}

func (e *NoVMError) Error() string {
	return fmt.Sprintf("Configuration file 'nodes/%s/qemu-server/%d.conf' does not exist", e.Node, e.VMID)
}

// Unwrap lets errors.Is(err, ErrNoVM) match.
func (e *NoVMError) Unwrap() error { return ErrNoVM }

// VMRef is where a VM's config lives.
type VMRef struct {
	VMID int
	Node string
}

// Index lists every VM of the cluster with the node it belongs to, sorted
// by VMID (Proxmox's vmlist).
func (s *Service) Index(ctx context.Context) ([]VMRef, error) {
	entries, err := s.cfg.Store.List(ctx, "nodes/")
	if err != nil {
		return nil, fmt.Errorf("list vm configs: %w", err)
	}
	var out []VMRef
	for _, e := range entries {
		m := reConfPath().FindStringSubmatch(e.Path)
		if m == nil {
			continue
		}
		id, err := strconv.Atoi(m[2])
		if err != nil {
			continue
		}
		out = append(out, VMRef{VMID: id, Node: m[1]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].VMID < out[j].VMID })
	return out, nil
}

// Locate finds the node a VMID belongs to; ok is false when no node has it.
func (s *Service) Locate(ctx context.Context, vmid int) (string, bool, error) {
	idx, err := s.Index(ctx)
	if err != nil {
		return "", false, err
	}
	for _, r := range idx {
		if r.VMID == vmid {
			return r.Node, true, nil
		}
	}
	return "", false, nil
}

// Loaded is a VM config with what it was read from.
type Loaded struct {
	VMID    int
	Node    string
	Config  *vmconf.Config
	Digest  string
	Version int64
}

// Load reads a VM config of the local node.
func (s *Service) Load(ctx context.Context, vmid int) (*Loaded, error) {
	return s.loadOn(ctx, s.cfg.Node, vmid)
}

func (s *Service) loadOn(ctx context.Context, node string, vmid int) (*Loaded, error) {
	e, err := s.cfg.Store.Get(ctx, ConfPath(node, vmid))
	if errors.Is(err, cfs.ErrNotFound) {
		return nil, &NoVMError{VMID: vmid, Node: node}
	}
	if err != nil {
		return nil, fmt.Errorf("read vm %d config: %w", vmid, err)
	}
	c, err := vmconf.Parse(bytes.NewReader(e.Data))
	if err != nil {
		return nil, err
	}
	for _, w := range c.Warnings {
		s.cfg.Logger.Warn("vm config", "vmid", vmid, "warning", w)
	}
	return &Loaded{VMID: vmid, Node: node, Config: c, Digest: host.Digest(e.Data), Version: e.Version}, nil
}

// NextID returns the lowest free VMID from 100 on (Proxmox's nextid).
func (s *Service) NextID(ctx context.Context) (int, error) {
	idx, err := s.Index(ctx)
	if err != nil {
		return 0, err
	}
	used := map[int]bool{}
	for _, r := range idx {
		used[r.VMID] = true
	}
	for id := 100; ; id++ {
		if !used[id] {
			return id, nil
		}
	}
}
