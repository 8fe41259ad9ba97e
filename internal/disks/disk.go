package disks

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"hostadm/internal/schema"
)

// Disk is one entry of Proxmox's disk list: a disk or, with Parent set, a
// partition.
type Disk struct {
	name     string // key: kernel name with "/" (cciss/c0d0)
	DevPath  string
	Parent   string // partitions only
	Vendor   string
	Model    string
	Serial   string
	WWN      string
	Size     int64
	GPT      bool
	RPM      int
	Type     string // hdd, ssd, nvme, usb, unknown, partition
	Health   string
	Wearout  string // "N/A" or percent left
	Mounted  bool
	ByIDLink string
	Used     string
	OSDID    int
}

// MarshalJSON renders the entry with Proxmox's keys: booleans as 1/0,
// osdid −1 and osdid-list null for non-Ceph disks, and the Ceph counters.
func (d *Disk) MarshalJSON() ([]byte, error) {
	m := map[string]any{
		"devpath": d.DevPath, "gpt": schema.Flag(d.GPT), "mounted": schema.Flag(d.Mounted),
		"osdid": d.OSDID, "osdid-list": nil, "size": d.Size, "type": d.Type,
	}
	if d.Used != "" {
		m["used"] = d.Used
	}
	if d.Parent != "" {
		m["parent"] = d.Parent
		return json.Marshal(m)
	}
	m["vendor"], m["model"], m["serial"], m["wwn"] = d.Vendor, d.Model, d.Serial, d.WWN
	m["rpm"], m["health"] = d.RPM, d.Health
	if n, err := strconv.Atoi(d.Wearout); err == nil {
		m["wearout"] = n
	} else {
		m["wearout"] = d.Wearout
	}
	if d.ByIDLink != "" {
		m["by_id_link"] = d.ByIDLink
	}
	for _, k := range []string{"journals", "db", "wal", "bluestore", "osdencrypted"} {
		m[k] = 0
	}
	return json.Marshal(m)
}

// disk builds the entry of one disk and its partitions, or nil when the
// device is not a local disk (no udev disk type, CD-ROM, iSCSI, no size).
func (s *Service) disk(ctx context.Context, sc *scan, name string, o ListOptions) (*Disk, []*Disk) {
	dir := "/sys/block/" + name
	extra := s.extra(name)
	u, haveDB := s.udev(dir)
	if t := u.Props["DEVTYPE"]; t != "disk" && t != "partition" {
		return nil, nil
	}
	if _, cd := u.Props["ID_CDROM"]; cd || u.Props["DEVNAME"] == "" || s.isISCSI(dir) {
		return nil, nil
	}
	si := s.sysInfo(dir, extra)
	if si == nil {
		return nil, nil
	}
	devpath := u.Props["DEVNAME"]
	if !strings.HasPrefix(devpath, "/") {
		devpath = "/dev/" + devpath
	}
	parts := s.children(dir)
	gpt := u.Props["ID_PART_TABLE_TYPE"] == "gpt"
	if !haveDB {
		// No udev here: probe the disk and its partitions with blkid.
		gpt = s.probe(ctx, sc, devpath) == "gpt" || gpt
		for _, p := range parts {
			s.probe(ctx, sc, devPathOf(p))
		}
	}
	d := &Disk{
		name: strings.ReplaceAll(name, "!", "/"), DevPath: devpath, Size: si.size, GPT: gpt,
		Vendor: si.vendor, Model: u.Props["ID_MODEL"], Serial: propOr(u, "ID_SERIAL_SHORT", "unknown"),
		WWN: propOr(u, "ID_WWN", "unknown"), RPM: -1, Type: "unknown", Health: "UNKNOWN",
		Wearout: "N/A", ByIDLink: u.ByIDLink(), OSDID: -1,
	}
	if d.Model == "" {
		d.Model = si.model
	}
	if rpm, err := strconv.Atoi(u.Props["ID_ATA_ROTATION_RATE_RPM"]); err == nil {
		d.RPM = rpm
	}
	d.classify(si.rotational, name, u.Props["ID_BUS"] == "usb")
	if !o.SkipSmart {
		s.smartSummary(ctx, d)
	}
	_, d.Mounted = sc.mounted[devpath]
	pl := s.partitions(sc, d, dir, parts)
	d.Used = s.usage(sc, d.DevPath, dir, false)
	if !o.IncludePartitions {
		for _, p := range pl {
			if d.Used == "" {
				d.Used = p.Used
			}
		}
	} else if len(pl) > 0 {
		d.Used = "partitions"
	}
	if d.Used == "" && len(pl) > 0 {
		d.Used = "partitions"
	}
	if d.Used == "" && len(s.holders(dir)) > 0 {
		d.Used = "Device Mapper"
	}
	return d, pl
}

func propOr(u *Udev, k, def string) string {
	if v := u.Props[k]; v != "" {
		return v
	}
	return def
}

// classify sets type and rpm from rotational, name and bus, as Proxmox.
func (d *Disk) classify(rotational int, name string, usb bool) {
	switch {
	case rotational == 0:
		d.Type = "ssd"
		if strings.HasPrefix(name, "nvme") {
			d.Type = "nvme"
		}
		d.RPM = 0
	case rotational == 1 && d.RPM != -1:
		d.Type = "hdd"
	case rotational == 1 && usb:
		d.Type = "usb"
		d.RPM = 0
	}
}

func ssdLike(t string) bool { return t == "ssd" || t == "nvme" }

// smartSummary fills health and wearout; errors leave UNKNOWN and N/A.
func (s *Service) smartSummary(ctx context.Context, d *Disk) {
	sd, err := s.Smart(ctx, d.DevPath, !ssdLike(d.Type))
	if err != nil {
		return
	}
	if sd.Health != "" {
		d.Health = sd.Health
	}
	if ssdLike(d.Type) {
		if w, ok := sd.WearLeveling(); ok {
			d.Wearout = strconv.Itoa(w)
		}
	}
}

// partitions builds the partition entries of a disk.
func (s *Service) partitions(sc *scan, d *Disk, dir string, names []string) []*Disk {
	sort.Strings(names)
	out := make([]*Disk, 0, len(names))
	for _, p := range names {
		pdev := devPathOf(p)
		_, mounted := sc.mounted[pdev]
		out = append(out, &Disk{
			name: devName(pdev), DevPath: pdev, Parent: d.DevPath, Mounted: mounted, GPT: d.GPT,
			Type: "partition", Size: s.sysSize(dir + "/" + p), OSDID: -1,
			Used: s.usage(sc, pdev, dir+"/"+p, true),
		})
	}
	return out
}

// usage is Proxmox's determine_usage for one device.
func (s *Service) usage(sc *scan, devpath, sysdir string, partition bool) string {
	if sc.lvm[devpath] {
		return "LVM"
	}
	if sc.zfs[devpath] {
		return "ZFS"
	}
	bi := sc.blk[devpath]
	switch bi.PartType {
	case ptBIOSBoot:
		return "BIOS boot"
	case ptEFI:
		return "EFI"
	case ptZFSReserved:
		return "ZFS reserved"
	}
	if bi.FSType != "" {
		return bi.FSType
	}
	if _, ok := sc.mounted[devpath]; ok {
		return "mounted"
	}
	if partition && len(s.holders(sysdir)) > 0 {
		return "Device Mapper"
	}
	return ""
}

// probe asks blkid about a device without udev's help and records what it
// found in the scan; it returns the partition-table type.
func (s *Service) probe(ctx context.Context, sc *scan, dev string) string {
	out, err := s.Output(ctx, "blkid", "-p", "-o", "export", dev)
	if err != nil && len(out) == 0 {
		return ""
	}
	kv := ParseBlkid(out)
	bi := sc.blk[dev]
	if bi.FSType == "" {
		bi.FSType = kv["TYPE"]
	}
	if bi.PartType == "" {
		bi.PartType = strings.ToLower(kv["PART_ENTRY_TYPE"])
	}
	sc.blk[dev] = bi
	switch bi.PartType {
	case ptLVM:
		sc.lvm[dev] = true
	case ptZFSApple, ptZFSBSD:
		sc.zfs[dev] = true
	}
	switch bi.FSType {
	case "LVM2_member":
		sc.lvm[dev] = true
	case "zfs_member":
		sc.zfs[dev] = true
	}
	return kv["PTTYPE"]
}
