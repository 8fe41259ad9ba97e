package guests

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"

	"hostadm/internal/schema"
)

// MigrateOptions are one migration's parameters (Proxmox's migrate_vm).
type MigrateOptions struct {
	Target string
	// Online moves a running VM with QEMU's live migration.
	Online bool
	// BWLimit caps the transfer in KiB/s (Proxmox's bwlimit); 0: no cap.
	BWLimit int64
}

// nodes lists the cluster's nodes (just the local one without a cluster).
func (s *Service) nodes(ctx context.Context) ([]string, error) {
	if s.cfg.Nodes != nil {
		return s.cfg.Nodes(ctx)
	}
	return []string{s.cfg.Node}, nil
}

// CheckMigrateTarget refuses the local node and nodes the cluster does
// not know, with Proxmox's messages.
func (s *Service) CheckMigrateTarget(ctx context.Context, target string) error {
	if target == s.cfg.Node {
		return schema.Fail("target", "target is local node.")
	}
	nodes, err := s.nodes(ctx)
	if err != nil {
		return err
	}
	if !slices.Contains(nodes, target) {
		return fmt.Errorf("no such cluster node '%s'", target)
	}
	if s.cfg.Online != nil && !s.cfg.Online(ctx, target) {
		return fmt.Errorf("target node '%s' is offline", target)
	}
	return nil
}

// CheckMigrateAll checks migrateall's parameters before its task starts.
func (s *Service) CheckMigrateAll(ctx context.Context, opts BulkOptions) error {
	if err := s.CheckMigrateTarget(ctx, opts.Target); err != nil {
		return err
	}
	if opts.MaxWorkers == 0 && s.cfg.MaxWorkers == 0 {
		return fmt.Errorf("either 'max-workers' parameter or max_workers in datacenter.cfg must be set!")
	}
	return nil
}

// MigrateAll is the migrateall task body: every VM of the node (or of
// opts.VMs), in Perl's string order of VMIDs as Nodes.pm sorts them, with
// at most max-workers migrations at a time.
func (s *Service) MigrateAll(ctx context.Context, user string, opts BulkOptions, log TaskLog) error {
	plan, err := s.MigratePlan(ctx, opts)
	if err != nil {
		return err
	}
	if len(plan) == 0 {
		log.Warn("no virtual guests matched, nothing to do..")
		return nil
	}
	n := opts.MaxWorkers
	if n == 0 {
		n = s.cfg.MaxWorkers
	}
	p := &pool{s: s, log: log, n: n, verb: "Migrating"}
	started := 0
	for _, e := range plan {
		mo := MigrateOptions{Target: opts.Target, Online: s.Running(e.VMID) != nil}
		log.Printf("Check VM %d: precondition check passed", e.VMID)
		log.Printf("Migrating VM %d", e.VMID)
		upid, err := s.SpawnMigrate(ctx, user, e.VMID, mo)
		if err != nil {
			log.Warn("%v", err)
			continue
		}
		started++
		p.add(ctx, e.VMID, upid)
		p.wait(p.n)
	}
	p.wait(1)
	if started == 0 {
		return fmt.Errorf("no migrations worker started...")
	}
	log.Printf("All jobs finished, used %d workers in total.", started)
	return nil
}

// MigratePlan is the order migrateall uses: every VM of the node (or of
// opts.VMs), VMIDs compared as strings, as Nodes.pm's Perl sort does.
func (s *Service) MigratePlan(ctx context.Context, opts BulkOptions) ([]PlanEntry, error) {
	plan, err := s.plan(ctx, false, opts.VMs)
	sort.Slice(plan, func(i, j int) bool { return strconv.Itoa(plan[i].VMID) < strconv.Itoa(plan[j].VMID) })
	return plan, err
}

// OtherNodes lists the cluster's nodes other than the local one.
func (s *Service) OtherNodes(ctx context.Context) []string {
	nodes, _ := s.nodes(ctx)
	out := []string{}
	for _, n := range nodes {
		if n != s.cfg.Node {
			out = append(out, n)
		}
	}
	return out
}
