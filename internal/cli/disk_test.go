package cli_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"hostadm/internal/certs"
	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/disks"
	"hostadm/internal/disks/disktest"
	"hostadm/internal/disks/zfs"
	"hostadm/internal/host"
)

// remoteFlags mints a root token in-process and returns the flags that
// reach the test daemon over HTTPS with it.
func remoteFlags(t *testing.T, env *daemontest.Env) []string {
	out := mustRun(t, "hostadm", "pveum", "user", "token", "add", "root@pam", "cli", "--privsep", "0",
		"--output-format", "json", "--root", env.Root, "--node", daemontest.Node)
	var tok struct {
		Full  string `json:"full-tokenid"`
		Value string `json:"value"`
	}
	if err := json.Unmarshal([]byte(out), &tok); err != nil {
		t.Fatal(err)
	}
	cert, _, _, err := env.Server.Node().Services.Certs.Active(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return []string{"--host", env.URL, "--token", tok.Full + "=" + tok.Value, "--fingerprint", certs.Fingerprint(cert)}
}

// TestDiskZFSCommands drives `hostadm disk zfs ...` against a daemon whose
// disk commands are answered from recorded zfs outputs: listings, the
// feature upgrade's GRUB refusal, and key handling with the passphrase
// read from standard input, never on a command line or in the output.
func TestDiskZFSCommands(t *testing.T) {
	env := daemontest.Start(t, daemontest.Options{Prepare: func(root string) {
		disktest.FakeDisks(t, root, "sdb", "sdc")
		os.MkdirAll(filepath.Join(root, "usr/sbin"), 0o755)
		os.WriteFile(filepath.Join(root, "usr/sbin/zpool"), nil, 0o755)
		os.WriteFile(filepath.Join(root, "proc/mounts"), []byte("rpool/ROOT/pve-1 / zfs rw 0 0\n"), 0o644)
	}})
	rec := disktest.QuietRecorder()
	rec.On([]string{"zpool", "list", "-HpPLo", "name,size,alloc,free,frag,dedup,health"},
		host.Reply{Stdout: disktest.Testdata(t, "zfs", "list-HpPLo.txt")})
	rec.On(zfs.FeaturesArgs("rpool"), host.Reply{Stdout: disktest.Testdata(t, "zfs", "get-all-rpool.txt")})
	ds := disktest.Testdata(t, "zfs", "list-datasets-tank.txt")
	rec.On(zfs.DatasetsArgs("tank", true), host.Reply{Stdout: ds})
	for _, line := range strings.Split(strings.TrimSpace(ds), "\n") {
		rec.On(zfs.DatasetsArgs(strings.Split(line, "\t")[0], false), host.Reply{Stdout: line + "\n"})
	}
	svc := env.Server.Node().Services
	svc.Disks = disks.New(disks.Config{Root: svc.Root, Runner: rec})
	flags := remoteFlags(t, env)

	out := mustRun(t, append([]string{"hostadm", "disk", "zfs", "list"}, flags...)...)
	if !regexp.MustCompile(`(?m)^│? *tank .*DEGRADED`).MatchString(out) && !strings.Contains(out, "tank") {
		t.Errorf("zfs list:\n%s", out)
	}
	out = mustRun(t, append([]string{"hostadm", "disk", "zfs", "datasets", "tank"}, flags...)...)
	if !regexp.MustCompile(`tank/enc .*aes-256-gcm .*unavailable`).MatchString(out) {
		t.Errorf("datasets:\n%s", out)
	}
	out = mustRun(t, append([]string{"disk", "zfs", "features", "rpool", "--output-format", "json"}, flags...)...)
	if !strings.Contains(out, `"grub-risk":1`) {
		t.Errorf("features: %s", out)
	}
	code, _, errOut := run(t, "", append([]string{"hostadm", "disk", "zfs", "upgrade", "rpool"}, flags...)...)
	if code == 0 || !strings.Contains(errOut, "refusing to upgrade") {
		t.Errorf("upgrade at risk: %d %s", code, errOut)
	}

	const pass = "tr0ub4dor&3 horse"
	rec.On([]string{"zfs", "load-key", "tank/enc"}, host.Reply{})
	rec.On([]string{"zfs", "mount", "tank/enc"}, host.Reply{})
	code, out, errOut = run(t, pass+"\n", append([]string{"hostadm", "disk", "zfs", "load-key", "tank", "tank/enc"}, flags...)...)
	if code != 0 || !strings.Contains(out, "# zfs load-key tank/enc\n# zfs mount tank/enc") || strings.Contains(out+errOut, pass) {
		t.Errorf("load-key: %d\n%s%s", code, out, errOut)
	}
	create := []string{"zfs", "create", "-o", "encryption=on", "-o", "keyformat=passphrase", "-o", "keylocation=prompt", "tank/secret"}
	rec.On(create, host.Reply{})
	code, out, errOut = run(t, pass+"\n"+pass+"\n", append([]string{"hostadm", "disk", "zfs", "dataset", "create", "tank", "tank/secret",
		"--encryption", "on", "--keyformat", "passphrase"}, flags...)...)
	if code != 0 || !strings.Contains(out, "# "+strings.Join(create, " ")) || strings.Contains(out+errOut, pass) {
		t.Errorf("dataset create: %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := run(t, pass+"\nother passphrase\n", append([]string{"hostadm", "disk", "zfs", "dataset", "create", "tank",
		"tank/x", "--encryption", "on", "--keyformat", "passphrase"}, flags...)...); code == 0 || !strings.Contains(errOut, "keys do not match") {
		t.Errorf("mismatched keys: %d %s", code, errOut)
	}
	for _, c := range rec.Calls() {
		if strings.Contains(c, pass) {
			t.Errorf("passphrase on a command line: %s", c)
		}
	}
}

// TestDiskAndPvesmList runs read-only disk commands in-process and
// `pvesm list` on a real directory storage in the daemon's root.
func TestDiskAndPvesmList(t *testing.T) {
	env := daemontest.Start(t)
	flags := []string{"--root", env.Root, "--node", daemontest.Node}
	if code, out, _ := run(t, "", "hostadm", "help"); code != 0 || !strings.Contains(out, "hostadm pvesm ") ||
		!strings.Contains(out, "hostadm disk ") {
		t.Errorf("help:\n%s", out)
	}
	mustRun(t, append([]string{"hostadm", "disk", "list"}, flags...)...)
	if code, _, errOut := run(t, "", append([]string{"hostadm", "disk", "smart"}, flags...)...); code != 255 ||
		!strings.Contains(errOut, "USAGE: disk smart <disk>") {
		t.Errorf("missing argument: %d %s", code, errOut)
	}

	store := filepath.Join(env.Root, "srv/store")
	for rel, size := range map[string]int{
		"template/iso/debian-12.5.0-amd64-netinst.iso":           1234,
		"template/cache/debian-12-standard_12.7-1_amd64.tar.zst": 567,
		"dump/vzdump-qemu-100-2024_05_06-07_08_09.vma.zst":       89,
		"images/100/vm-100-disk-0.raw":                           4096,
		"snippets/cloud-init.yaml":                               12,
	} {
		os.MkdirAll(filepath.Dir(filepath.Join(store, rel)), 0o755)
		os.WriteFile(filepath.Join(store, rel), make([]byte, size), 0o644)
	}
	mustRun(t, append([]string{"pvesm", "add", "dir", "store", "--path", "/srv/store",
		"--content", "images,iso,vztmpl,backup,snippets"}, flags...)...)
	out := mustRun(t, append([]string{"pvesm", "list", "store"}, flags...)...)
	want := "Volid                                                    Format  Type      Size VMID\n" +
		"store:100/vm-100-disk-0.raw                              raw     images    4096 100\n" +
		"store:backup/vzdump-qemu-100-2024_05_06-07_08_09.vma.zst vma.zst backup      89 100\n" +
		"store:iso/debian-12.5.0-amd64-netinst.iso                iso     iso       1234\n" +
		"store:snippets/cloud-init.yaml                           snippet snippets    12\n" +
		"store:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst     tzst    vztmpl     567\n"
	if out != want {
		t.Errorf("pvesm list:\n%s\nwant:\n%s", out, want)
	}
	out = mustRun(t, append([]string{"pvesm", "list", "store", "--content", "iso", "--output-format", "json"}, flags...)...)
	if !strings.Contains(out, `"volid":"store:iso/debian-12.5.0-amd64-netinst.iso"`) || strings.Contains(out, "vztmpl") {
		t.Errorf("content=iso: %s", out)
	}
	if code, _, errOut := run(t, "", append([]string{"pvesm", "list", "nope"}, flags...)...); code == 0 ||
		!strings.Contains(errOut, "storage 'nope' does not exist") {
		t.Errorf("missing storage: %d %s", code, errOut)
	}
}

// TestDiskCreateDryRun runs `hostadm disk zfs create ... --dry-run`: the
// plan is printed (the commands as the task log would show them) and
// nothing runs; json prints the plan object, and a refusal is the API's.
func TestDiskCreateDryRun(t *testing.T) {
	env := daemontest.Start(t, daemontest.Options{Prepare: func(root string) {
		disktest.FakeDisks(t, root, "sdb", "sdc")
		os.MkdirAll(filepath.Join(root, "usr/sbin"), 0o755)
		os.WriteFile(filepath.Join(root, "usr/sbin/zpool"), nil, 0o755)
	}})
	rec := disktest.QuietRecorder()
	rec.On([]string{"zpool", "list", "-HPLv"}, host.Reply{})
	rec.On([]string{"zpool", "list", "-HpPLo", "name,size,alloc,free,frag,dedup,health"}, host.Reply{})
	svc := env.Server.Node().Services
	svc.Disks = disks.New(disks.Config{Root: svc.Root, Runner: rec})
	flags := remoteFlags(t, env)
	out := mustRun(t, append([]string{"hostadm", "disk", "zfs", "create", "tank2", "mirror", "/dev/sdb,/dev/sdc", "--dry-run"}, flags...)...)
	if !strings.Contains(out, "1. Create the pool tank2\n   # zpool create -o ashift=12 tank2 mirror /dev/disk/by-id/ata-DISK_SDB /dev/disk/by-id/ata-DISK_SDC\n") ||
		!strings.Contains(out, "   # zfs set compression=on tank2\n") {
		t.Errorf("plan:\n%s", out)
	}
	out = mustRun(t, append([]string{"hostadm", "disk", "zfs", "create", "tank2", "mirror", "/dev/sdb,/dev/sdc", "--dry-run",
		"--add_storage", "--output-format", "json"}, flags...)...)
	var plan struct {
		Devices []string `json:"devices"`
		Steps   []struct {
			Cmd  []string          `json:"cmd"`
			File map[string]string `json:"file"`
		} `json:"steps"`
	}
	if err := json.Unmarshal([]byte(out), &plan); err != nil || len(plan.Devices) != 2 || plan.Steps[len(plan.Steps)-1].File["path"] != "/etc/pve/storage.cfg" {
		t.Errorf("json plan %v: %s", err, out)
	}
	if code, _, errOut := run(t, "", append([]string{"hostadm", "disk", "zfs", "create", "tank2", "raidz", "/dev/sdb,/dev/sdc", "--dry-run"}, flags...)...); code == 0 ||
		!strings.Contains(errOut, "raidz needs at least 3 disks") {
		t.Errorf("refusal: %d %s", code, errOut)
	}
	for _, c := range rec.Calls() {
		if !strings.HasPrefix(c, "lsblk") && !strings.HasPrefix(c, "pvs") && !strings.HasPrefix(c, "zpool list") {
			t.Errorf("the dry run ran %s", c)
		}
	}
}
