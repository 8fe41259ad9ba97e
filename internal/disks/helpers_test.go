package disks

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/host"
)

// fakeDisk describes a disk of a fixture host: its sysfs directory and its
// udev database entry (hand-written in udev's format, see testdata/README.md).
type fakeDisk struct {
	name, devnum  string
	sectors       int64
	rot           int
	vendor, model string
	udev          []string
	holders       []string
	parts         []fakePart
	iscsi         bool
}

type fakePart struct {
	name, devnum string
	num          int
	sectors      int64
	udev         []string
	holders      []string
}

func writeFile(t testing.TB, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeHost writes the sysfs and udev files of the disks under root.
func writeHost(t testing.TB, root string, disks ...fakeDisk) {
	t.Helper()
	for _, d := range disks {
		dir := filepath.Join(root, "sys/block", d.name)
		if d.iscsi {
			real := filepath.Join(root, "sys/devices/platform/host3/session1/target3:0:0/3:0:0:0/block", d.name)
			os.MkdirAll(real, 0o755)
			os.MkdirAll(filepath.Dir(dir), 0o755)
			if err := os.Symlink(real, dir); err != nil {
				t.Fatal(err)
			}
		}
		devname := strings.ReplaceAll(d.name, "!", "/")
		writeFile(t, filepath.Join(dir, "uevent"), fmt.Sprintf("MAJOR=%s\nMINOR=%s\nDEVNAME=%s\nDEVTYPE=disk\n",
			strings.Split(d.devnum, ":")[0], strings.Split(d.devnum, ":")[1], devname))
		writeFile(t, filepath.Join(dir, "dev"), d.devnum+"\n")
		writeFile(t, filepath.Join(dir, "size"), fmt.Sprintf("%d\n", d.sectors))
		writeFile(t, filepath.Join(dir, "queue/rotational"), fmt.Sprintf("%d\n", d.rot))
		writeFile(t, filepath.Join(dir, "device/vendor"), d.vendor+"\n")
		writeFile(t, filepath.Join(dir, "device/model"), d.model+"\n")
		os.MkdirAll(filepath.Join(dir, "holders"), 0o755)
		for _, h := range d.holders {
			writeFile(t, filepath.Join(dir, "holders", h), "")
		}
		if d.udev != nil {
			writeFile(t, filepath.Join(root, "run/udev/data/b"+d.devnum), strings.Join(d.udev, "\n")+"\n")
		}
		for _, p := range d.parts {
			pdir := filepath.Join(dir, p.name)
			writeFile(t, filepath.Join(pdir, "uevent"), fmt.Sprintf("DEVNAME=%s\nDEVTYPE=partition\nPARTN=%d\n", p.name, p.num))
			writeFile(t, filepath.Join(pdir, "dev"), p.devnum+"\n")
			writeFile(t, filepath.Join(pdir, "size"), fmt.Sprintf("%d\n", p.sectors))
			writeFile(t, filepath.Join(pdir, "partition"), fmt.Sprintf("%d\n", p.num))
			os.MkdirAll(filepath.Join(pdir, "holders"), 0o755)
			for _, h := range p.holders {
				writeFile(t, filepath.Join(pdir, "holders", h), "")
			}
			if p.udev != nil {
				writeFile(t, filepath.Join(root, "run/udev/data/b"+p.devnum), strings.Join(p.udev, "\n")+"\n")
			}
		}
	}
}

// newTestService is a Service over root answering commands from rec only.
func newTestService(t testing.TB, root string, rec *host.Recorder) *Service {
	t.Helper()
	r, err := host.NewRoot(root)
	if err != nil {
		t.Fatal(err)
	}
	return New(Config{Root: r, Runner: rec})
}
