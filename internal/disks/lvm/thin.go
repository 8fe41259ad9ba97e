package lvm

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"hostadm/internal/disks"
)

// ThinArgs is the lvs report the thin-pool list reads: every LV of every
// VG as JSON, sizes in bytes. (Proxmox's lvm_list_volumes asks for the
// same fields colon-separated; JSON needs no splitting rules.)
var ThinArgs = []string{"lvs", "--reportformat", "json", "--units", "b", "--nosuffix",
	"--options", "vg_name,lv_name,lv_size,lv_attr,data_percent,metadata_percent,lv_metadata_size"}

// ThinPool is one entry of GET disks/lvmthin (sizes in bytes).
type ThinPool struct {
	LV           string `json:"lv"`
	VG           string `json:"vg"`
	LVSize       int64  `json:"lv_size"`
	Used         int64  `json:"used"`
	MetadataSize int64  `json:"metadata_size"`
	MetadataUsed int64  `json:"metadata_used"`
}

// lvsReport is lvs' JSON report.
type lvsReport struct {
	Report []struct {
		LV []map[string]string `json:"lv"`
	} `json:"report"`
}

// ParseThinPools picks the thin pools (lv_attr starting with "t") out of
// ThinArgs' output, sorted by VG and LV, with Proxmox's arithmetic: used
// = int(data_percent × lv_size / 100), metadata_used likewise.
func ParseThinPools(b []byte) ([]ThinPool, error) {
	var rep lvsReport
	if err := json.Unmarshal(b, &rep); err != nil {
		return nil, fmt.Errorf("parse lvs report: %w", err)
	}
	out := []ThinPool{}
	for _, r := range rep.Report {
		for _, lv := range r.LV {
			if !strings.HasPrefix(lv["lv_attr"], "t") || lv["vg_name"] == "" || lv["lv_name"] == "" {
				continue
			}
			size, meta := fnum(lv["lv_size"]), fnum(lv["lv_metadata_size"])
			out = append(out, ThinPool{
				LV: lv["lv_name"], VG: lv["vg_name"], LVSize: int64(size), MetadataSize: int64(meta),
				Used:         int64(fnum(lv["data_percent"]) * size / 100),
				MetadataUsed: int64(fnum(lv["metadata_percent"]) * meta / 100),
			})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].VG != out[j].VG {
			return out[i].VG < out[j].VG
		}
		return out[i].LV < out[j].LV
	})
	return out, nil
}

func fnum(s string) float64 {
	f, _ := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return f
}

// ThinSizes is Proxmox's sizing of a thin pool on a fresh PV of pvKiB
// KiB: data = PV − 128 MiB; metadata = 1 % of that, at least 1 GiB (the
// lvmthin(7) recommendation) and at most 16 GiB (LVM's maximum); data
// then shrinks by twice the metadata (the pool's spare metadata LV). The
// values are KiB and, as in Perl, metadata may have a fraction.
func ThinSizes(pvKiB int64) (data, meta float64) {
	data = float64(pvKiB - 128*1024)
	meta = data / 100
	meta = math.Max(meta, 1024*1024)
	meta = math.Min(meta, 16*1024*1024)
	return data - 2*meta, meta
}

// perlNum formats a number the way Perl interpolates it (%.15g), so the
// lvcreate arguments are Proxmox's byte for byte.
func perlNum(f float64) string { return strconv.FormatFloat(f, 'g', 15, 64) }

// ThinCreateArgs is the lvcreate command for a thin pool NAME in VG NAME.
func ThinCreateArgs(name string, data, meta float64) []string {
	return thinCreateArgs(name, perlNum(data), perlNum(meta))
}

func thinCreateArgs(name, data, meta string) []string {
	return []string{"lvcreate", "--type", "thin-pool", "-L" + data + "K", "--poolmetadatasize", meta + "K", "-n", name, name}
}

// PVInfoArgs is Proxmox's lvm_pv_info report for one device (KiB).
func PVInfoArgs(dev string) []string {
	return []string{"pvs", "--separator", ":", "--noheadings", "--units", "k", "--unbuffered", "--nosuffix",
		"--options", "pv_name,pv_size,vg_name,pv_uuid", dev}
}

// ThinPools runs ThinArgs and parses it.
func (s *Service) ThinPools(ctx context.Context) ([]ThinPool, error) {
	out, err := s.d.Output(ctx, ThinArgs...)
	if err != nil {
		return nil, err
	}
	return ParseThinPools(out)
}

// parsePVSize is the size of the PV in PVInfoArgs' output in KiB
// (Perl's int() of pvs' "61440.00").
func parsePVSize(out []byte, dev string) (int64, error) {
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Split(strings.TrimSpace(line), ":")
		if len(f) >= 2 && f[0] != "" {
			return int64(fnum(f[1])), nil
		}
	}
	return 0, fmt.Errorf("no physical volume found on '%s'", dev)
}

// PlanCreateThin is the lvmthincreate task's plan: a VG NAME on the
// unused device as for PlanCreate, then the PV's size read back and a
// thin pool NAME/NAME sized by ThinSizes ("data" and "metadata" KiB).
func (s *Service) PlanCreateThin(dev, name, node string) *disks.Plan {
	p := s.planVG(dev, name, node)
	p.Run("Read the physical volume's size", PVInfoArgs(dev)...).Learn(func(v disks.Vars, out []byte) error {
		kib, err := parsePVSize(out, dev)
		if err != nil {
			return err
		}
		data, meta := ThinSizes(kib)
		if data <= 0 {
			return fmt.Errorf("device '%s' is too small for a thin pool (%d KiB)", dev, kib)
		}
		v["data"], v["metadata"] = perlNum(data), perlNum(meta)
		return nil
	})
	p.RunVars("Create the thin pool "+name+"/"+name+" (data: size − 128 MiB − 2 × metadata; metadata: 1 %, 1 to 16 GiB)",
		func(v disks.Vars) []string { return thinCreateArgs(name, v.Get("data"), v.Get("metadata")) })
	p.UdevTrigger(func(disks.Vars) []string { return []string{dev} })
	return p
}

// CreateThin runs PlanCreateThin's plan.
func (s *Service) CreateThin(ctx context.Context, l Log, dev, name, node string) error {
	return s.d.Execute(ctx, l, s.PlanCreateThin(dev, name, node))
}

// RemoveThin is the lvmthinremove worker: `lvremove -y VG/LV`, the
// optional config cleanup, and with wipe the VG's physical volumes are
// wiped once it holds no LVs any more (the VG itself stays, as in
// Proxmox).
func (s *Service) RemoveThin(ctx context.Context, l Log, vg, lv string, wipe bool, cleanupConfig func() error) error {
	return s.d.Locked(ctx, func() error {
		pools, err := s.ThinPools(ctx)
		if err != nil {
			return err
		}
		found := false
		for _, p := range pools {
			found = found || (p.VG == vg && p.LV == lv)
		}
		if !found {
			return fmt.Errorf("no such thin pool %s/%s", vg, lv)
		}
		if _, err := s.d.Run(ctx, l, "lvremove", "-y", vg+"/"+lv); err != nil {
			return err
		}
		return afterRemove(l, cleanupConfig, wipe, func() error { return s.wipeVG(ctx, l, vg) })
	})
}

// wipeVG wipes the physical volumes of an empty VG.
func (s *Service) wipeVG(ctx context.Context, l Log, name string) error {
	vg, err := s.vg(ctx, name)
	if err != nil {
		return err
	}
	if vg == nil {
		return fmt.Errorf("no such volume group '%s'", name)
	}
	if vg.LVCount > 0 {
		return fmt.Errorf("volume group '%s' still in use", name)
	}
	var wiped []string
	var werr error
	for _, pv := range vg.PVs {
		dev, err := s.d.VerifyBlockdevPath(pv.Name)
		if err == nil {
			err = s.d.WipeBlockdev(ctx, l, dev)
		}
		if err != nil {
			werr = err
			break
		}
		wiped = append(wiped, dev)
	}
	if len(wiped) > 0 {
		s.d.UdevTrigger(ctx, l, wiped...)
	}
	if werr != nil {
		return fmt.Errorf("cleanup failed - %w", werr)
	}
	return nil
}
