package storage

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"hostadm/internal/host"
)

// LVSArgs is the lvs report Proxmox's lvm_list_volumes reads. The volume
// group comes from storage.cfg, so "--" ends the options before it.
func LVSArgs(vg string) []string {
	return []string{"lvs", "--separator", ":", "--noheadings", "--units", "b", "--unbuffered", "--nosuffix",
		"--config", `report/time_format="%s"`, "--options",
		"vg_name,lv_name,lv_size,lv_attr,pool_lv,data_percent,metadata_percent,snap_percent,uuid,tags,metadata_size,time",
		"--", vg}
}

// reGuestVolume is a guest volume's name: vm-VMID-... or base-VMID-...
// (subvol- and basevol- for ZFS file systems).
var reGuestVolume = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(vm|base|subvol|basevol)-(\d+)-\S+$`) })

// LVMImages picks the guest volumes of LVSArgs' output: for lvm, plain
// (or mirrored/RAID) LVs; for lvmthin, thin volumes in the storage's pool.
func LVMImages(b []byte, sid, typ, thinpool string, vmid int) []Volume {
	var out []Volume
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(strings.TrimSpace(line), ":")
		if len(f) < 12 || f[1] == "" || f[3] == "" {
			continue
		}
		m := reGuestVolume().FindStringSubmatch(f[1])
		if m == nil || m[1] == "subvol" || m[1] == "basevol" {
			continue
		}
		lvType := f[3][:1]
		if typ == "lvm" && !strings.ContainsAny(lvType, "-mMrR") || typ == "lvmthin" && (lvType != "V" || f[4] != thinpool) {
			continue
		}
		owner, _ := strconv.Atoi(m[2])
		if vmid > 0 && owner != vmid {
			continue
		}
		size, _ := strconv.ParseInt(f[2], 10, 64)
		ctime, _ := strconv.ParseInt(f[11], 10, 64)
		out = append(out, Volume{Volid: sid + ":" + f[1], Format: "raw", Size: size, VMID: owner, Ctime: ctime})
	}
	return out
}

// ZFSListArgs is the zfs list ZFSPoolPlugin's zfs_list_zvol runs, with
// "--" before the pool from storage.cfg.
func ZFSListArgs(pool string) []string {
	return []string{"zfs", "list", "-o", "name,volsize,origin,type,refquota", "-t", "volume,filesystem", "-d1", "-Hp",
		"--", pool}
}

// ZFSImages picks the guest volumes (zvols: raw; file systems: subvol
// sized by their refquota) directly below the pool. A clone of a base
// image's __base__ snapshot is named BASE/NAME as in Proxmox.
func ZFSImages(b []byte, sid, pool string, vmid int) []Volume {
	var out []Volume
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 || (f[3] != "volume" && f[3] != "filesystem") {
			continue
		}
		i := strings.LastIndex(f[0], "/")
		if i < 0 || f[0][:i] != pool {
			continue
		}
		name := f[0][i+1:]
		m := reGuestVolume().FindStringSubmatch(name)
		if m == nil {
			continue
		}
		owner, _ := strconv.Atoi(m[2])
		if vmid > 0 && owner != vmid {
			continue
		}
		v := Volume{Volid: sid + ":" + name, Format: "raw", VMID: owner}
		if f[3] == "filesystem" {
			v.Format = "subvol"
			v.Size, _ = strconv.ParseInt(f[4], 10, 64)
		} else {
			v.Size, _ = strconv.ParseInt(f[1], 10, 64)
		}
		if origin := f[2]; origin != "-" {
			v.Parent = strings.TrimPrefix(origin, pool+"/")
			if base, ok := strings.CutSuffix(v.Parent, "@__base__"); ok {
				v.Volid = sid + ":" + base + "/" + name
			}
		}
		out = append(out, v)
	}
	return out
}

func (p Prober) run(ctx context.Context, argv ...string) ([]byte, error) {
	res, err := p.Runner.Run(ctx, host.Cmd{Argv: argv})
	return res.Stdout, err
}
