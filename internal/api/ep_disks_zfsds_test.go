package api_test

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/disks/disktest"
	"hostadm/internal/disks/zfs"
	"hostadm/internal/host"
)

// TestZFSDatasetEndpoints drives the feature upgrade, dataset properties
// and key handling through the API with recorded zfs outputs, asserting
// the exact commands and that no key reaches a command line or task log.
func TestZFSDatasetEndpoints(t *testing.T) {
	env, rec := zfsEnv(t)
	root := env.RootAuth()
	base := "/nodes/" + daemontest.Node + "/disks/zfs/"
	ds := disktest.Testdata(t, "zfs", "list-datasets-tank.txt")
	rec.On(zfs.DatasetsArgs("tank", true), host.Reply{Stdout: ds})
	for _, line := range strings.Split(strings.TrimSpace(ds), "\n") {
		rec.On(zfs.DatasetsArgs(strings.Split(line, "\t")[0], false), host.Reply{Stdout: line + "\n"})
	}
	rec.On(zfs.FeaturesArgs("rpool"), host.Reply{Stdout: disktest.Testdata(t, "zfs", "get-all-rpool.txt")})
	os.WriteFile(filepath.Join(env.Root, "proc/mounts"), []byte("rpool/ROOT/pve-1 / zfs rw 0 0\n"), 0o644)

	f := env.MustOK(root, "GET", base+"rpool/features", nil).Data.(map[string]any)
	if f["grub-risk"] != 1.0 || len(f["disabled"].([]any)) != 5 {
		t.Errorf("features %v", f)
	}
	r := env.Do(root, "POST", base+"rpool/upgrade", nil)
	if r.Status != 500 || !strings.HasPrefix(r.Message, "refusing to upgrade: this pool holds /boot") {
		t.Errorf("upgrade at risk: %d %q", r.Status, r.Message)
	}
	rec.On([]string{"zpool", "upgrade", "rpool"}, host.Reply{})
	upid := env.MustOK(root, "POST", base+"rpool/upgrade", url.Values{"force": {"1"}}).Data.(string)
	if st, log := waitTask(t, env, upid); st != "WARNINGS: 1" || !strings.Contains(log, "# zpool upgrade rpool") ||
		!strings.Contains(log, "GRUB") {
		t.Errorf("forced upgrade: %s\n%s", st, log)
	}

	list := env.MustOK(root, "GET", base+"tank/datasets", nil).Data.([]any)
	if len(list) != 5 || list[1].(map[string]any)["keystatus"] != "unavailable" {
		t.Errorf("datasets %v", list)
	}

	rec.On([]string{"zfs", "get", "-Hp", "-o", "value", "recordsize", "tank"}, host.Reply{Stdout: "131072\n"})
	rec.On([]string{"zfs", "set", "compression=zstd", "tank"}, host.Reply{})
	rec.On([]string{"zfs", "set", "special_small_blocks=4096", "tank"}, host.Reply{})
	upid = env.MustOK(root, "PUT", base+"tank/datasets", url.Values{"compression": {"zstd"}, "special_small_blocks": {"4K"}}).Data.(string)
	if st, log := waitTask(t, env, upid); st != "OK" || !strings.Contains(log, "# zfs set compression=zstd tank\n# zfs set special_small_blocks=4096 tank") {
		t.Errorf("set: %s\n%s", st, log)
	}

	const pass = "a long enough passphrase"
	create := []string{"zfs", "create", "-o", "encryption=on", "-o", "keyformat=passphrase", "-o", "keylocation=prompt", "tank/secret"}
	rec.On(create, host.Reply{})
	upid = env.MustOK(root, "POST", base+"tank/datasets", url.Values{"dataset": {"tank/secret"}, "encryption": {"on"},
		"keyformat": {"passphrase"}, "key": {pass}}).Data.(string)
	st, log := waitTask(t, env, upid)
	if st != "OK" || !strings.Contains(log, "# "+strings.Join(create, " ")) || strings.Contains(log, pass) {
		t.Errorf("create: %s\n%s", st, log)
	}
	rec.On([]string{"zfs", "load-key", "tank/enc"}, host.Reply{})
	rec.On([]string{"zfs", "mount", "tank/enc"}, host.Reply{})
	upid = env.MustOK(root, "POST", base+"tank/load-key", url.Values{"dataset": {"tank/enc"}, "key": {pass}}).Data.(string)
	if st, log := waitTask(t, env, upid); st != "OK" || !strings.Contains(log, "# zfs load-key tank/enc\n# zfs mount tank/enc") ||
		strings.Contains(log, pass) {
		t.Errorf("load-key: %s\n%s", st, log)
	}
	rec.On([]string{"zfs", "unmount", "tank/keyed"}, host.Reply{})
	rec.On([]string{"zfs", "unload-key", "tank/keyed"}, host.Reply{})
	upid = env.MustOK(root, "POST", base+"tank/unload-key", url.Values{"dataset": {"tank/keyed"}}).Data.(string)
	if st, log := waitTask(t, env, upid); st != "OK" || !strings.Contains(log, "# zfs unload-key tank/keyed") {
		t.Errorf("unload-key: %s\n%s", st, log)
	}

	before := len(rec.Calls())
	for _, b := range []struct {
		method, path string
		params       url.Values
		status       int
		want         string
	}{
		{"POST", "tank/datasets", url.Values{"dataset": {"tank/x"}, "encryption": {"on"}, "keyformat": {"passphrase"}, "key": {"short"}}, 500, "passphrase must be 8 to 512 bytes long"},
		{"POST", "tank/datasets", url.Values{"dataset": {"rpool/x"}}, 500, "dataset 'rpool/x' is not in pool 'tank'"},
		{"PUT", "tank/datasets", url.Values{"special_small_blocks": {"3K"}}, 400, ""},
		{"PUT", "tank/datasets", url.Values{"compression": {"gzip-11"}}, 400, ""},
		{"POST", "tank/load-key", url.Values{"dataset": {"tank/enc/child"}, "key": {pass}}, 500, "the key of 'tank/enc/child' is the key of its encryption root 'tank/enc'"},
		{"POST", "tank/unload-key", url.Values{"dataset": {"tank/enc"}}, 500, "key for 'tank/enc' is not loaded"},
	} {
		r := env.Do(root, b.method, base+b.path, b.params)
		if r.Status != b.status || !strings.HasPrefix(r.Message, b.want) || strings.Contains(string(r.Body), "short") {
			t.Errorf("%s %s %v: %d %q", b.method, b.path, b.params, r.Status, r.Message)
		}
	}
	for _, c := range rec.Calls()[before:] {
		if !strings.HasPrefix(c, "zfs list") {
			t.Errorf("bad input ran %s", c)
		}
	}
	for _, c := range rec.Calls() {
		if strings.Contains(c, pass) {
			t.Errorf("key on a command line: %s", c)
		}
	}
}
