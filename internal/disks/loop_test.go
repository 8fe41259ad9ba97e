package disks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/disks/disktest"
	"hostadm/internal/host"
)

// loopService is a Service over a loop-test root that runs the real tools
// (recording the transcript) and counts only the test's loop devices as
// disks besides the whitelist.
func loopService(t *testing.T, root string, loops ...*disktest.Loop) (*Service, *host.Recorder) {
	t.Helper()
	r, _ := host.NewRoot(root)
	rec := host.NewRecorder()
	rec.Fallback = host.ExecRunner{}
	var names []string
	for _, l := range loops {
		names = append(names, l.Name)
	}
	return New(Config{Root: r, Runner: rec, ExtraDisks: names}), rec
}

func TestInitGPTAndWipeOnLoop(t *testing.T) {
	disktest.Need(t, "sgdisk", "wipefs", "blkid", "partx", "mkfs.ext4")
	l := disktest.AttachLoop(t, 64)
	root := disktest.Root(t, l)
	s, rec := loopService(t, root, l)
	ctx := t.Context()

	if err := s.CheckInitGPT(ctx, l.Dev); err != nil {
		t.Fatalf("fresh disk: %v", err)
	}
	var log disktest.Log
	uuid := "0b0e2b4c-6a1f-4f0e-9d7e-4a1b2c3d4e5f"
	if err := s.InitGPT(ctx, &log, l.Dev, uuid); err != nil {
		t.Fatalf("initgpt: %v\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "# sgdisk "+l.Dev+" -U "+uuid) {
		t.Errorf("log lacks the command:\n%s", log.String())
	}
	probe := disktest.Run(t, "blkid", "-p", "-o", "export", l.Dev)
	if !strings.Contains(probe, "PTTYPE=gpt") || !strings.Contains(strings.ToLower(probe), "ptuuid="+uuid) {
		t.Fatalf("no GPT written: %s", probe)
	}
	list, err := s.List(ctx, "", ListOptions{SkipSmart: true, Only: []string{l.Name}})
	if err != nil || len(list) != 1 || !list[0].GPT || list[0].Used != "" || list[0].Size != 64<<20 {
		t.Fatalf("list after initgpt: %+v %v", list, err)
	}

	// A partition with a file system makes the disk used.
	disktest.Run(t, "sgdisk", "-n1:0:+16M", "-t1:8300", l.Dev)
	disktest.Partitions(t, root, l)
	part := l.Dev + "p1"
	disktest.Run(t, "mkfs.ext4", "-q", part)
	if err := s.CheckInitGPT(ctx, l.Dev); err == nil || err.Error() != "disk "+l.Dev+" already in use" {
		t.Errorf("used disk: %v", err)
	}
	if err := s.CheckInitGPT(ctx, part); err == nil || err.Error() != part+" is a partition" {
		t.Errorf("partition: %v", err)
	}
	list, _ = s.List(ctx, "", ListOptions{SkipSmart: true, IncludePartitions: true, Only: []string{l.Name}})
	if len(list) != 2 || list[0].Used != "partitions" || list[1].Used != "ext4" || list[1].Parent != l.Dev {
		t.Errorf("list with partitions: %+v %+v", list[0], list[len(list)-1])
	}

	// Mounted partitions are refused and nothing runs.
	os.WriteFile(filepath.Join(root, "proc/mounts"), []byte(part+" /mnt/x ext4 rw 0 0\n"), 0o644)
	before := len(rec.Calls())
	if err := s.Wipe(ctx, &log, s.Blockdev(l.Dev)); err == nil || err.Error() != "disk/partition '"+part+"' is mounted" {
		t.Errorf("mounted: %v", err)
	}
	for _, c := range rec.Calls()[before:] {
		if strings.HasPrefix(c, "wipefs") || strings.HasPrefix(c, "dd") {
			t.Errorf("ran %s", c)
		}
	}
	os.WriteFile(filepath.Join(root, "proc/mounts"), nil, 0o644)

	// Wiping the partition sets its type to Linux and clears the file system.
	log.Reset()
	if err := s.Wipe(ctx, &log, s.Blockdev(part)); err != nil {
		t.Fatalf("wipe partition: %v\n%s", err, log.String())
	}
	for _, want := range []string{"# wipefs --all " + part, "# dd if=/dev/zero of=" + part + " bs=1M conv=fdatasync count=16",
		"# sgdisk -t1:8300 " + l.Dev} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
	// Wiping the disk wipes the partitions first, then the disk.
	log.Reset()
	if err := s.Wipe(ctx, &log, s.Blockdev(l.Dev)); err != nil {
		t.Fatalf("wipe disk: %v\n%s", err, log.String())
	}
	for _, want := range []string{"found child partitions to wipe: " + part, "# wipefs --all " + part + " " + l.Dev,
		"# dd if=/dev/zero of=" + l.Dev + " bs=1M conv=fdatasync count=64"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
	if out, _ := exec(t, "blkid", "-p", "-o", "export", l.Dev); strings.Contains(out, "PTTYPE") {
		t.Errorf("partition table survived the wipe: %s", out)
	}
}

func exec(t *testing.T, argv ...string) (string, error) {
	r := host.ExecRunner{}
	res, err := r.Run(t.Context(), host.Cmd{Argv: argv})
	return string(res.Stdout), err
}
