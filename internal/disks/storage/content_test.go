package storage

import (
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hostadm/internal/cfs"
	"hostadm/internal/host"
	"hostadm/internal/hostcfg/golden"
)

func TestLVMImages(t *testing.T) {
	b := golden.Read(t, "lvs-pve.txt")
	thin := LVMImages(b, "local-lvm", "lvmthin", "data", 0)
	got, _ := json.Marshal(thin)
	want := `[{"volid":"local-lvm:vm-100-disk-0","format":"raw","size":34359738368,"ctime":1701234567,"vmid":100,"content":""},` +
		`{"volid":"local-lvm:vm-101-disk-0","format":"raw","size":8589934592,"ctime":1702345678,"vmid":101,"content":""},` +
		`{"volid":"local-lvm:base-102-disk-0","format":"raw","size":4294967296,"ctime":1703000000,"vmid":102,"content":""}]`
	if string(got) != want {
		t.Errorf("thin:\n%s\nwant\n%s", got, want)
	}
	plain := LVMImages(b, "vg", "lvm", "", 0)
	if len(plain) != 1 || plain[0].Volid != "vg:vm-103-disk-0" || plain[0].Size != 2147483648 {
		t.Errorf("lvm %+v", plain)
	}
	if one := LVMImages(b, "local-lvm", "lvmthin", "data", 101); len(one) != 1 || one[0].VMID != 101 {
		t.Errorf("vmid filter %+v", one)
	}
}

func TestZFSImages(t *testing.T) {
	vols := ZFSImages(golden.Read(t, "zfs-list-tank.txt"), "tank", "tank", 0)
	got := []string{}
	for _, v := range vols {
		got = append(got, v.Volid+" "+v.Format+" "+v.Parent)
	}
	want := []string{"tank:vm-100-disk-0 raw ", "tank:subvol-101-disk-0 subvol ", "tank:base-102-disk-0 raw ",
		"tank:base-102-disk-0/vm-104-disk-0 raw base-102-disk-0@__base__"}
	if strings.Join(got, "|") != strings.Join(want, "|") || vols[1].Size != 8589934592 {
		t.Errorf("got %q", got)
	}
}

// qcow2 writes a minimal qcow2 header: virtual size and backing file.
func qcow2(t *testing.T, p string, size uint64, backing string) {
	h := make([]byte, 512)
	copy(h, "QFI\xfb")
	binary.BigEndian.PutUint32(h[4:], 3)
	if backing != "" {
		binary.BigEndian.PutUint64(h[8:], 256)
		binary.BigEndian.PutUint32(h[16:], uint32(len(backing)))
		copy(h[256:], backing)
	}
	binary.BigEndian.PutUint64(h[24:], size)
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, h, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDirContent lists a real directory storage in a temporary root.
func TestDirContent(t *testing.T) {
	s, st := newService(t, "n1")
	dir := t.TempDir()
	r, _ := host.NewRoot(dir)
	p := Prober{Root: r, Runner: host.NewRecorder()}
	ctx := t.Context()
	if err := s.Create(ctx, "dir", "store", map[string]any{"path": "/srv/store",
		"content": "images,rootdir,iso,vztmpl,backup,snippets"}); err != nil {
		t.Fatal(err)
	}
	put := func(rel string, size int) {
		full := filepath.Join(dir, "srv/store", rel)
		os.MkdirAll(filepath.Dir(full), 0o755)
		os.WriteFile(full, make([]byte, size), 0o644)
	}
	put("template/iso/debian-12.iso", 3000)
	put("template/iso/README.txt", 10)
	put("template/iso/.hidden.iso", 10)
	put("template/cache/debian-12-standard_12.7-1_amd64.tar.zst", 1200)
	put("dump/vzdump-qemu-100-2024_05_06-07_08_09.vma.zst", 5000)
	put("dump/vzdump-qemu-100-2024_05_06-07_08_09.vma.zst.notes", 0)
	os.WriteFile(filepath.Join(dir, "srv/store/dump/vzdump-qemu-100-2024_05_06-07_08_09.vma.zst.notes"), []byte("before upgrade\nmore\n"), 0o644)
	put("dump/vzdump-qemu-100-2024_05_06-07_08_09.protected", 0)
	put("dump/vzdump-lxc-101-2024_05_07-00_00_00.tar.zst", 700)
	put("dump/vzdump-qemu-100-2024_05_06-07_08_09.log", 100)
	put("snippets/user.yaml", 42)
	put("images/100/vm-100-disk-0.raw", 4096)
	qcow2(t, filepath.Join(dir, "srv/store/images/100/vm-100-disk-1.qcow2"), 32<<30, "")
	qcow2(t, filepath.Join(dir, "srv/store/images/102/vm-102-disk-0.qcow2"), 8<<30, "../100/base-100-disk-2.qcow2")
	os.MkdirAll(filepath.Join(dir, "srv/store/images/101/subvol-101-disk-0.subvol"), 0o755)
	put("images/100/notes.txt", 1)
	put("images/abc/vm-1-disk-0.raw", 1)
	// A container configuration makes 101's volumes rootdir.
	if _, err := st.Put(ctx, "nodes/n1/lxc/101.conf", []byte("arch: amd64\n"), cfs.NoVersion); err != nil {
		t.Fatal(err)
	}

	vols, err := s.Content(ctx, p, "store", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	lines := []string{}
	for _, v := range vols {
		lines = append(lines, strings.Join([]string{v.Volid, v.Format, v.Content, itoa(v.Size), itoa(int64(v.VMID))}, " "))
	}
	want := []string{
		"store:100/base-100-disk-2.qcow2/102/vm-102-disk-0.qcow2 qcow2 images 8589934592 102",
		"store:100/vm-100-disk-0.raw raw images 4096 100",
		"store:100/vm-100-disk-1.qcow2 qcow2 images 34359738368 100",
		"store:101/subvol-101-disk-0.subvol subvol rootdir 0 101",
		"store:backup/vzdump-lxc-101-2024_05_07-00_00_00.tar.zst tar.zst backup 700 101",
		"store:backup/vzdump-qemu-100-2024_05_06-07_08_09.vma.zst vma.zst backup 5000 100",
		"store:iso/debian-12.iso iso iso 3000 0",
		"store:snippets/user.yaml snippet snippets 42 0",
		"store:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst tzst vztmpl 1200 0",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	var bk Volume
	for _, v := range vols {
		if strings.Contains(v.Volid, "qemu-100") {
			bk = v
		}
	}
	if bk.Notes != "before upgrade" || bk.Protected != 1 || bk.Subtype != "qemu" ||
		bk.Ctime != time.Date(2024, 5, 6, 7, 8, 9, 0, time.Local).Unix() {
		t.Errorf("backup %+v", bk)
	}

	if vols, _ := s.Content(ctx, p, "store", "iso", 0); len(vols) != 1 {
		t.Errorf("content=iso: %+v", vols)
	}
	// As in Proxmox, snippets are listed whatever the guest.
	if vols, _ := s.Content(ctx, p, "store", "", 100); len(vols) != 4 {
		t.Errorf("vmid=100: %+v", vols)
	}
	if _, err := s.Content(ctx, p, "nope", "", 0); err == nil || err.Error() != "storage 'nope' does not exist" {
		t.Errorf("missing storage: %v", err)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func FuzzContentParsers(f *testing.F) {
	f.Add([]byte("  pve:vm-100-disk-0:1:Vwi-a-tz--:data:1:::u:::1\n"), "data")
	f.Add([]byte("tank/vm-1-disk-0\t1\ttank/base-1-disk-0@__base__\tvolume\t-\n"), "tank")
	f.Fuzz(func(t *testing.T, b []byte, pool string) {
		LVMImages(b, "s", "lvm", pool, 0)
		LVMImages(b, "s", "lvmthin", pool, 0)
		ZFSImages(b, "s", pool, 0)
	})
}
