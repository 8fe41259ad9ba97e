package zfs

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"hostadm/internal/disks"
	"hostadm/internal/disks/disktest"
	"hostadm/internal/host"
	"hostadm/internal/hostcfg/golden"
)

// stdinRunner keeps what each command got on standard input, then lets
// the recorder answer.
type stdinRunner struct {
	rec   *host.Recorder
	mu    sync.Mutex
	stdin map[string][]byte
}

func (r *stdinRunner) Run(ctx context.Context, c host.Cmd) (host.Result, error) {
	r.mu.Lock()
	r.stdin[strings.Join(c.Argv, " ")] = c.Stdin
	r.mu.Unlock()
	return r.rec.Run(ctx, c)
}

func cryptHost(t *testing.T) (*Service, *host.Recorder, *stdinRunner, string) {
	_, rec, root := zfsHost(t)
	sr := &stdinRunner{rec: rec, stdin: map[string][]byte{}}
	r, _ := host.NewRoot(root)
	ds := string(golden.Read(t, "list-datasets-tank.txt"))
	rec.On(DatasetsArgs("tank", true), host.Reply{Stdout: ds})
	for _, line := range strings.Split(strings.TrimSpace(ds), "\n") {
		name := strings.Split(line, "\t")[0]
		rec.On(DatasetsArgs(name, false), host.Reply{Stdout: line + "\n"})
	}
	return New(disks.New(disks.Config{Root: r, Runner: sr})), rec, sr, root
}

func TestParseDatasets(t *testing.T) {
	list := ParseDatasets(golden.Read(t, "list-datasets-tank.txt"))
	if len(list) != 5 {
		t.Fatalf("%d datasets", len(list))
	}
	enc, vol := list[1], list[4]
	if enc.Name != "tank/enc" || enc.KeyStatus != "unavailable" || enc.KeyFormat != "passphrase" ||
		enc.EncryptionRoot != "tank/enc" || enc.SpecialSmallBlocks != 4096 || enc.Mounted != "no" {
		t.Errorf("enc %+v", enc)
	}
	if vol.Type != "volume" || vol.Mountpoint != "-" || vol.KeyStatus != "-" || vol.Used != 34359738368 {
		t.Errorf("volume %+v", vol)
	}
}

func TestFeaturesAndGrubRisk(t *testing.T) {
	s, rec, root := zfsHost(t)
	rec.On(FeaturesArgs("rpool"), host.Reply{Stdout: string(golden.Read(t, "get-all-rpool.txt"))})
	write := func(p, v string) {
		os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755)
		os.WriteFile(filepath.Join(root, p), []byte(v), 0o644)
	}
	// Legacy boot, root on rpool, no proxmox-boot-tool: GRUB reads the pool.
	write("proc/mounts", "rpool/ROOT/pve-1 / zfs rw,relatime,xattr,noacl 0 0\n")
	f, err := s.Features(t.Context(), "rpool")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Features) != 39 || strings.Join(f.Disabled, ",") != "blake3,block_cloning,head_errlog,vdev_zaps_v2,zilsaxattr" ||
		f.GrubRisk != 1 || f.Boot != "legacy" || !strings.Contains(f.Warning, "GRUB") {
		t.Errorf("features %+v", f)
	}
	var l disktest.Log
	before := len(rec.Calls())
	if err := s.Upgrade(t.Context(), &l, "rpool", false); err != ErrGrubRisk {
		t.Errorf("upgrade at risk: %v", err)
	}
	if len(rec.Calls()) != before {
		t.Errorf("refused upgrade ran %v", rec.Calls()[before:])
	}
	rec.On([]string{"zpool", "upgrade", "rpool"}, host.Reply{Stdout: "This system supports ZFS pool feature flags.\n"})
	if err := s.Upgrade(t.Context(), &l, "rpool", true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(l.String(), "WARN: this pool holds /boot") || !strings.Contains(l.String(), "# zpool upgrade rpool\n") {
		t.Errorf("forced upgrade log:\n%s", l.String())
	}

	// proxmox-boot-tool keeps the kernels on ESPs: no risk, EFI or not.
	write("etc/kernel/proxmox-boot-uuids", "# comment\n3C2D-1A2B\n")
	write("sys/firmware/efi/.keep", "")
	if risk, boot := s.BootRisk("rpool"); risk || boot != "efi" {
		t.Errorf("with proxmox-boot-tool: %v %s", risk, boot)
	}
	os.Remove(filepath.Join(root, "etc/kernel/proxmox-boot-uuids"))
	// /boot on another file system, or another pool: no risk.
	write("proc/mounts", "rpool/ROOT/pve-1 / zfs rw 0 0\n/dev/sda2 /boot ext4 rw 0 0\n")
	if risk, _ := s.BootRisk("rpool"); risk {
		t.Error("separate /boot")
	}
	write("proc/mounts", "rpool/ROOT/pve-1 / zfs rw 0 0\n")
	if risk, _ := s.BootRisk("tank"); risk {
		t.Error("data pool")
	}
	if err := s.CheckUpgrade("tank", false); err != nil {
		t.Error(err)
	}
}

func TestSetProps(t *testing.T) {
	s, rec, _, _ := cryptHost(t)
	rec.On([]string{"zfs", "get", "-Hp", "-o", "value", "recordsize", "tank/enc"}, host.Reply{Stdout: "131072\n"})
	rec.On([]string{"zfs", "set", "compression=zstd-3", "tank/enc"}, host.Reply{})
	rec.On([]string{"zfs", "set", "special_small_blocks=131072", "tank/enc"}, host.Reply{})
	rec.On([]string{"zfs", "inherit", "compression", "tank/enc"}, host.Reply{})
	n, err := ParseSmallBlocks("128K")
	if err != nil || n != 131072 {
		t.Fatal(n, err)
	}
	var l disktest.Log
	if err := s.SetProps(t.Context(), &l, "tank/enc", SetOptions{Compression: "zstd-3", SpecialSmallBlocks: &n}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(l.String(), "# zfs set compression=zstd-3 tank/enc\n# zfs set special_small_blocks=131072 tank/enc\n") ||
		!strings.Contains(l.String(), "WARN: special_small_blocks (131072) is not below the recordsize (131072)") {
		t.Errorf("log:\n%s", l.String())
	}
	if err := s.SetProps(t.Context(), &l, "tank/enc", SetOptions{Compression: "inherit"}); err != nil ||
		!strings.Contains(l.String(), "# zfs inherit compression tank/enc\n") {
		t.Errorf("inherit: %v", err)
	}
	for _, bad := range []string{"3K", "256", "2M", "-1", "x"} {
		if _, err := ParseSmallBlocks(bad); err == nil {
			t.Errorf("special_small_blocks %s accepted", bad)
		}
	}
	for _, v := range []string{"0", "512", "4K", "1M", "1048576"} {
		if _, err := ParseSmallBlocks(v); err != nil {
			t.Errorf("%s: %v", v, err)
		}
	}
	for _, bad := range []string{"gzip-10", "zstd-20", "lz5", "on off"} {
		if CheckCompression(bad) == nil {
			t.Errorf("compression %s accepted", bad)
		}
	}
	for _, c := range []struct{ pool, name string }{{"tank", "rpool/x"}, {"tank", "tank/../x"}, {"tank", "tank/a b"},
		{"tank", "tank/a@snap"}, {"tank", "tank"}, {"tank", "tank//x"}} {
		if CheckDataset(c.pool, c.name, false) == nil {
			t.Errorf("dataset %s accepted", c.name)
		}
	}
}

const passphrase = "correct horse battery staple"

func TestCreateEncrypted(t *testing.T) {
	s, rec, sr, root := cryptHost(t)
	var l disktest.Log
	argv := []string{"zfs", "create", "-o", "encryption=on", "-o", "keyformat=passphrase", "-o", "keylocation=prompt",
		"-o", "compression=lz4", "tank/secret"}
	rec.On(argv, host.Reply{})
	err := s.CreateDataset(t.Context(), &l, "tank", CreateDatasetOptions{Name: "tank/secret", Encryption: "on",
		KeyFormat: "passphrase", Key: passphrase, Compression: "lz4"})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(sr.stdin[strings.Join(argv, " ")]); got != passphrase+"\n" {
		t.Errorf("stdin %q", got)
	}
	if !strings.Contains(l.String(), "# "+strings.Join(argv, " ")+"\n") || strings.Contains(l.String(), passphrase) {
		t.Errorf("log:\n%s", l.String())
	}
	for _, c := range rec.Calls() {
		if strings.Contains(c, passphrase) {
			t.Errorf("passphrase on a command line: %s", c)
		}
	}

	// A raw key given as hex goes to zfs as 32 bytes.
	key := strings.Repeat("0a", 32)
	argv = []string{"zfs", "create", "-o", "encryption=aes-256-gcm", "-o", "keyformat=raw", "-o", "keylocation=prompt", "tank/raw"}
	rec.On(argv, host.Reply{})
	if err := s.CreateDataset(t.Context(), &l, "tank", CreateDatasetOptions{Name: "tank/raw", Encryption: "aes-256-gcm",
		KeyFormat: "raw", Key: key}); err != nil {
		t.Fatal(err)
	}
	if got := sr.stdin[strings.Join(argv, " ")]; len(got) != 32 || got[0] != '\n' {
		t.Errorf("raw stdin %q", got)
	}

	// A key file must exist and takes no key.
	os.MkdirAll(filepath.Join(root, "etc/zfs/keys"), 0o700)
	os.WriteFile(filepath.Join(root, "etc/zfs/keys/k.key"), []byte(strings.Repeat("x", 32)), 0o600)
	argv = []string{"zfs", "create", "-o", "encryption=on", "-o", "keyformat=raw", "-o", "keylocation=file:///etc/zfs/keys/k.key", "tank/filekey"}
	rec.On(argv, host.Reply{})
	if err := s.CreateDataset(t.Context(), &l, "tank", CreateDatasetOptions{Name: "tank/filekey", Encryption: "on",
		KeyFormat: "raw", KeyLocation: "file:///etc/zfs/keys/k.key"}); err != nil {
		t.Fatal(err)
	}

	before := len(rec.Calls())
	for _, c := range []struct {
		o    CreateDatasetOptions
		want string
	}{
		{CreateDatasetOptions{Name: "tank/x", Encryption: "on", KeyFormat: "passphrase", Key: "short"}, "passphrase must be 8 to 512 bytes long"},
		{CreateDatasetOptions{Name: "tank/x", Encryption: "on", KeyFormat: "passphrase", Key: "two\nlines!"}, "passphrase must not contain line breaks or NUL"},
		{CreateDatasetOptions{Name: "tank/x", Encryption: "on", KeyFormat: "passphrase"}, "key required: keylocation is 'prompt'"},
		{CreateDatasetOptions{Name: "tank/x", Encryption: "on", KeyFormat: "hex", Key: "abcd"}, "a hex key must be given as 64 hex digits"},
		{CreateDatasetOptions{Name: "tank/x", Encryption: "on", Key: passphrase}, "keyformat required for a new encryption root"},
		{CreateDatasetOptions{Name: "tank/x", KeyFormat: "passphrase", Key: passphrase}, "keyformat, keylocation and key need encryption"},
		{CreateDatasetOptions{Name: "tank/x", Encryption: "on", KeyFormat: "raw", KeyLocation: "file:///etc/zfs/keys/none"}, "key file '/etc/zfs/keys/none' does not exist"},
		{CreateDatasetOptions{Name: "tank/x", Encryption: "on", KeyFormat: "raw", KeyLocation: "https://example.com/k"}, "invalid keylocation 'https://example.com/k': 'prompt' or file:///absolute/path"},
		{CreateDatasetOptions{Name: "tank/x", Encryption: "on", KeyFormat: "raw", KeyLocation: "file:///etc/zfs/keys/k.key", Key: key}, "key given, but keylocation names a key file"},
		{CreateDatasetOptions{Name: "other/x"}, "dataset 'other/x' is not in pool 'tank'"},
	} {
		err := s.CreateDataset(t.Context(), &l, "tank", c.o)
		if err == nil || err.Error() != c.want {
			t.Errorf("%+v: %v, want %s", c.o.Name, err, c.want)
		}
	}
	if len(rec.Calls()) != before {
		t.Errorf("bad input ran %v", rec.Calls()[before:])
	}
	if strings.Contains(l.String(), "short") {
		t.Error("key in log")
	}
}

func TestLoadUnloadKey(t *testing.T) {
	s, rec, sr, _ := cryptHost(t)
	var l disktest.Log
	rec.On([]string{"zfs", "load-key", "tank/enc"}, host.Reply{})
	rec.On([]string{"zfs", "mount", "tank/enc"}, host.Reply{})
	if err := s.LoadKey(t.Context(), &l, "tank", "tank/enc", passphrase, true); err != nil {
		t.Fatal(err)
	}
	if string(sr.stdin["zfs load-key tank/enc"]) != passphrase+"\n" ||
		!strings.Contains(l.String(), "# zfs load-key tank/enc\n# zfs mount tank/enc\n") || strings.Contains(l.String(), passphrase) {
		t.Errorf("load-key: %q\n%s", sr.stdin["zfs load-key tank/enc"], l.String())
	}
	for name, want := range map[string]string{
		"tank/enc/child":     "the key of 'tank/enc/child' is the key of its encryption root 'tank/enc'",
		"tank":               "dataset 'tank' is not encrypted",
		"tank/keyed":         "key for 'tank/keyed' is already loaded",
		"tank/vm-100-disk-0": "dataset 'tank/vm-100-disk-0' is not encrypted",
	} {
		if _, _, err := s.CheckLoadKey(t.Context(), "tank", name, passphrase); err == nil || err.Error() != want {
			t.Errorf("load %s: %v", name, err)
		}
	}
	if _, _, err := s.CheckLoadKey(t.Context(), "tank", "tank/enc", ""); err == nil {
		t.Error("prompt key without a key")
	}

	rec.On([]string{"zfs", "unmount", "tank/keyed"}, host.Reply{})
	rec.On([]string{"zfs", "unload-key", "tank/keyed"}, host.Reply{})
	if err := s.UnloadKey(t.Context(), &l, "tank", "tank/keyed"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(l.String(), "# zfs unmount tank/keyed\n# zfs unload-key tank/keyed\n") {
		t.Errorf("unload log:\n%s", l.String())
	}
	if _, err := s.CheckUnloadKey(t.Context(), "tank", "tank/enc"); err == nil || err.Error() != "key for 'tank/enc' is not loaded" {
		t.Errorf("unload unloaded: %v", err)
	}
}
