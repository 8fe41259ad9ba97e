package storage

import (
	"context"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"hostadm/internal/host"
	"hostadm/internal/sectioncfg"
)

// Status is one storage's state on this node, as GET
// /nodes/{node}/storage reports it.
type Status struct {
	Storage  string  `json:"storage"`
	Type     string  `json:"type"`
	Content  string  `json:"content"`
	Active   int     `json:"active"`
	Enabled  int     `json:"enabled"`
	Shared   int     `json:"shared"`
	Total    int64   `json:"total"`
	Used     int64   `json:"used"`
	Avail    int64   `json:"avail"`
	Fraction float64 `json:"used_fraction"`
}

// Prober measures storages on the host.
type Prober struct {
	Root   host.Root
	Runner host.Runner
}

// Statuses reports every storage configured on this node.
func (s *Service) Statuses(ctx context.Context, p Prober) ([]Status, error) {
	return s.StatusesOf(ctx, p, nil)
}

// StatusesOf reports the storages configured on this node that keep
// accepts (all when keep is nil). The others are not probed at all, so a
// caller's listing runs no command for storages it may not see.
func (s *Service) StatusesOf(ctx context.Context, p Prober, keep func(id string) bool) ([]Status, error) {
	cfg, _, err := s.Read(ctx)
	if err != nil {
		return nil, err
	}
	out := []Status{}
	for _, sec := range cfg.Sections {
		if !OnNode(sec, s.node) || (keep != nil && !keep(sec.ID)) {
			continue
		}
		st := Status{Storage: sec.ID, Type: sec.Type, Enabled: 1}
		st.Content, _ = sec.Props["content"].(string)
		if d, _ := sec.Props["disable"].(bool); d {
			st.Enabled = 0
		}
		if sh, _ := sec.Props["shared"].(bool); sh {
			st.Shared = 1
		}
		if st.Enabled == 1 {
			if total, used, avail, ok := p.usage(ctx, sec); ok {
				st.Active, st.Total, st.Used, st.Avail = 1, total, used, avail
				if total > 0 {
					st.Fraction = float64(used) / float64(total)
				}
			}
		}
		out = append(out, st)
	}
	return out, nil
}

// usage measures one storage: statfs for directories, vgs/lvs for LVM,
// zfs get for pools. ok is false when it is not available.
func (p Prober) usage(ctx context.Context, sec *sectioncfg.Section) (total, used, avail int64, ok bool) {
	str := func(k string) string { v, _ := sec.Props[k].(string); return v }
	switch sec.Type {
	case "dir", "btrfs":
		var fs unix.Statfs_t
		if err := unix.Statfs(p.Root.Path(str("path")), &fs); err != nil {
			return 0, 0, 0, false
		}
		bs := int64(fs.Bsize)
		total, avail = int64(fs.Blocks)*bs, int64(fs.Bavail)*bs
		return total, total - int64(fs.Bfree)*bs, avail, true
	case "lvm":
		n := p.numbers(ctx, VGSizeArgs(str("vgname"))...)
		if len(n) == 2 {
			return n[0], n[0] - n[1], n[1], true
		}
	case "lvmthin":
		n := p.floats(ctx, ThinSizeArgs(str("vgname"), str("thinpool"))...)
		if len(n) == 2 {
			t := int64(n[0])
			u := int64(n[0] * n[1] / 100)
			return t, u, t - u, true
		}
	case "zfspool":
		n := p.numbers(ctx, ZFSSpaceArgs(str("pool"))...)
		if len(n) == 2 {
			return n[0] + n[1], n[1], n[0], true
		}
	}
	return 0, 0, 0, false
}

// VGSizeArgs reports a volume group's size and free bytes. The names in
// these commands come from storage.cfg: their formats refuse a leading
// "-", and "--" ends the options before them as well.
func VGSizeArgs(vg string) []string {
	return []string{"vgs", "--noheadings", "--units", "b", "--nosuffix", "-o", "vg_size,vg_free", "--", vg}
}

// ThinSizeArgs reports a thin pool's size and data use in percent.
func ThinSizeArgs(vg, pool string) []string {
	return []string{"lvs", "--noheadings", "--units", "b", "--nosuffix", "-o", "lv_size,data_percent", "--", vg + "/" + pool}
}

// ZFSSpaceArgs reports a pool's or dataset's available and used bytes.
func ZFSSpaceArgs(pool string) []string {
	return []string{"zfs", "get", "-o", "value", "-Hp", "--", "available,used", pool}
}

func (p Prober) numbers(ctx context.Context, argv ...string) []int64 {
	var out []int64
	for _, f := range p.floats(ctx, argv...) {
		out = append(out, int64(f))
	}
	return out
}

func (p Prober) floats(ctx context.Context, argv ...string) []float64 {
	res, err := p.Runner.Run(ctx, host.Cmd{Argv: argv})
	if err != nil {
		return nil
	}
	var out []float64
	for _, f := range strings.Fields(string(res.Stdout)) {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return nil
		}
		out = append(out, v)
	}
	return out
}
