package storage

import (
	"bufio"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"hostadm/internal/schema"
	"hostadm/internal/sectioncfg"
)

// subdirs are the directories of a dir storage per content type.
var subdirs = map[string]string{
	"images": "images", "rootdir": "private", "iso": "template/iso", "vztmpl": "template/cache",
	"backup": "dump", "snippets": "snippets", "import": "import",
}

// subdir is a content type's directory under the storage (host path),
// honouring content-dirs overrides (vtype=relative/path,...).
func subdir(sec *sectioncfg.Section, vtype string) string {
	dir := subdirs[vtype]
	for _, kv := range strings.Split(str(sec, "content-dirs"), ",") {
		kv = strings.TrimSpace(kv)
		if schema.CheckFormat("pve-dir-override", kv) != "" {
			continue // ".." or junk: never leave the storage's directory
		}
		if k, v, ok := strings.Cut(kv, "="); ok && k == vtype {
			dir = strings.TrimPrefix(v, "/")
		}
	}
	return filepath.Join(str(sec, "path"), dir)
}

var (
	reISO    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)^(.+\.(?:iso|img))$`) })
	reVZTmpl = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)^(.+\.tar\.(gz|xz|zst|bz2))$`) })
	// reBackup is a vzdump archive: the format is its extension.
	reBackup     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(.+\.(tgz|(?:tar|vma)(?:\.(?:gz|lzo|zst))?))$`) })
	reBackupName = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^vzdump-(qemu|lxc|openvz)-(\d+)-(\d{4})_(\d\d)_(\d\d)-(\d\d)_(\d\d)_(\d\d)\.`)
	})
	reBackupVMID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`-([1-9][0-9]{2,8})-`) })
	reImage      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[^/]+\.(raw|qcow2|vmdk|subvol)$`) })
)

// files lists a non-image content type's directory: ISO images,
// container templates, vzdump backups and snippets, as Proxmox's
// get_subdir_files does (regular files only, names not starting with a
// dot). With a guest given, ISO images and templates are left out.
func (p Prober) files(sec *sectioncfg.Section, vtype string, vmid int) []Volume {
	if vtype == "import" || (vmid > 0 && (vtype == "iso" || vtype == "vztmpl")) {
		return nil
	}
	dir := p.Root.Path(subdir(sec, vtype))
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []Volume
	for _, e := range ents {
		fn := e.Name()
		fi, err := os.Stat(filepath.Join(dir, fn))
		if err != nil || fi.IsDir() || strings.HasPrefix(fn, ".") {
			continue
		}
		v := Volume{Content: vtype, Size: fi.Size()}
		switch vtype {
		case "iso":
			if !reISO().MatchString(fn) {
				continue
			}
			v.Volid, v.Format = sec.ID+":iso/"+fn, "iso"
		case "vztmpl":
			m := reVZTmpl().FindStringSubmatch(fn)
			if m == nil {
				continue
			}
			v.Volid, v.Format = sec.ID+":vztmpl/"+fn, "t"+strings.ToLower(m[2])
		case "backup":
			if !p.backup(&v, sec.ID, filepath.Join(dir, fn), vmid) {
				continue
			}
		case "snippets":
			v.Volid, v.Format = sec.ID+":snippets/"+fn, "snippet"
		}
		if v.Ctime == 0 {
			v.Ctime = ctime(fi)
		}
		out = append(out, v)
	}
	return out
}

// backup fills a vzdump archive's entry: the guest, type and time from
// its name, notes from NAME.notes and the .protected marker.
func (p Prober) backup(v *Volume, sid, full string, vmid int) bool {
	fn := filepath.Base(full)
	m := reBackup().FindStringSubmatch(fn)
	if m == nil {
		return false
	}
	if vmid > 0 && !strings.Contains(fn, "-"+strconv.Itoa(vmid)+"-") {
		return false
	}
	v.Volid, v.Format, v.Subtype = sid+":backup/"+fn, m[2], "unknown"
	if n := reBackupName().FindStringSubmatch(fn); n != nil {
		v.Subtype = n[1]
		num := func(i int) int { x, _ := strconv.Atoi(n[i]); return x }
		v.Ctime = time.Date(num(3), time.Month(num(4)), num(5), num(6), num(7), num(8), 0, time.Local).Unix()
	}
	if id := reBackupVMID().FindStringSubmatch(fn); id != nil {
		v.VMID, _ = strconv.Atoi(id[1])
	}
	if f, err := os.Open(full + ".notes"); err == nil {
		line, _ := bufio.NewReader(f).ReadString('\n')
		f.Close()
		v.Notes = strings.TrimRight(line, "\n")
	}
	if _, err := os.Stat(strings.TrimSuffix(full, "."+m[2]) + ".protected"); err == nil {
		v.Protected = 1
	}
	return true
}

// dirImages lists images/VMID/NAME.{raw,qcow2,vmdk,subvol} of a dir
// storage and, on btrfs storages, raw disks kept as images/VMID/NAME/disk.raw
// subvolumes (volid NAME.raw).
func (p Prober) dirImages(sec *sectioncfg.Section, vmid int) []Volume {
	base := p.Root.Path(subdir(sec, "images"))
	owners, _ := os.ReadDir(base)
	var out []Volume
	for _, o := range owners {
		owner, err := strconv.Atoi(o.Name())
		if err != nil || owner < 1 || (vmid > 0 && owner != vmid) {
			continue
		}
		ents, _ := os.ReadDir(filepath.Join(base, o.Name()))
		for _, e := range ents {
			full := filepath.Join(base, o.Name(), e.Name())
			v, ok := imageInfo(sec, full, e.Name())
			if !ok {
				continue
			}
			v.VMID = owner
			v.Volid = sec.ID + ":" + o.Name() + "/" + v.Volid
			if base, ok := strings.CutPrefix(v.Parent, "../"); ok && reImage().MatchString(filepath.Base(base)) {
				v.Volid = sec.ID + ":" + base + "/" + o.Name() + "/" + filepath.Base(full)
			}
			out = append(out, v)
		}
	}
	return out
}

// imageInfo reads one image: its format from the name, the virtual size
// from a qcow2 or vmdk header (the file size for raw) and the allocated
// bytes. Volid holds the volume's name only.
func imageInfo(sec *sectioncfg.Section, full, name string) (Volume, bool) {
	fi, err := os.Stat(full)
	if err != nil {
		return Volume{}, false
	}
	if sec.Type == "btrfs" && fi.IsDir() && !strings.Contains(name, ".") && !strings.Contains(name, "@") {
		if raw, err := os.Stat(filepath.Join(full, "disk.raw")); err == nil {
			used := allocated(raw)
			return Volume{Volid: name + ".raw", Format: "raw", Size: raw.Size(), Used: &used, Ctime: ctime(raw)}, true
		}
	}
	m := reImage().FindStringSubmatch(name)
	if m == nil {
		return Volume{}, false
	}
	if m[1] == "subvol" {
		if !fi.IsDir() {
			return Volume{}, false
		}
		zero := int64(0)
		return Volume{Volid: name, Format: "subvol", Used: &zero, Ctime: ctime(fi)}, true
	}
	if fi.IsDir() {
		return Volume{}, false
	}
	used := allocated(fi)
	v := Volume{Volid: name, Format: m[1], Size: fi.Size(), Used: &used, Ctime: ctime(fi)}
	switch m[1] {
	case "qcow2":
		size, parent, ok := qcow2Header(full)
		if !ok {
			return Volume{}, false
		}
		v.Size, v.Parent = size, parent
	case "vmdk":
		if size, ok := vmdkCapacity(full); ok {
			v.Size = size
		}
	}
	return v, true
}

// qcow2Header reads a qcow2 image's virtual size and backing file name.
func qcow2Header(p string) (size int64, parent string, ok bool) {
	f, err := os.Open(p)
	if err != nil {
		return 0, "", false
	}
	defer f.Close()
	h := make([]byte, 32)
	if _, err := io.ReadFull(f, h); err != nil || string(h[:4]) != "QFI\xfb" {
		return 0, "", false
	}
	size = int64(binary.BigEndian.Uint64(h[24:]))
	off, n := binary.BigEndian.Uint64(h[8:]), binary.BigEndian.Uint32(h[16:])
	if off > 0 && n > 0 && n <= 1023 {
		b := make([]byte, n)
		if _, err := f.ReadAt(b, int64(off)); err == nil {
			parent = string(b)
		}
	}
	return size, parent, true
}

// vmdkCapacity reads a sparse vmdk's capacity (in 512-byte sectors).
func vmdkCapacity(p string) (int64, bool) {
	f, err := os.Open(p)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	h := make([]byte, 20)
	if _, err := io.ReadFull(f, h); err != nil || string(h[:4]) != "KDMV" {
		return 0, false
	}
	return int64(binary.LittleEndian.Uint64(h[12:])) * 512, true
}

func allocated(fi os.FileInfo) int64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Blocks * 512
	}
	return fi.Size()
}

func ctime(fi os.FileInfo) int64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ctim.Sec
	}
	return fi.ModTime().Unix()
}
