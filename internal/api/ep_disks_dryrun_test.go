package api_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/disks/directory"
	"hostadm/internal/disks/disktest"
	"hostadm/internal/disks/lvm"
	"hostadm/internal/host"
)

// The create endpoints' dry-run (hostadm extension): for each, the plan a
// dry run answers must be what the real create then runs — every command
// of the runner's transcript, in order, a "<name>" standing for a value
// the task learns — while the dry run itself changes nothing under the
// root (nor on the loop devices), runs none of the plan's commands and
// starts no task; bad input gets the same answer as from a real create.

// planStep is one step of an answered plan.
type planStep struct {
	Text string
	Cmd  []string
	When string
	File map[string]any
}

// dryRun asks path for the plan of params (dry-run=1) and checks that it
// changed nothing: the root's tree and the images are hashed before and
// after, the transcript gains only commands that are not the plan's, and
// no task was started. It returns the steps and the commands it ran.
func dryRun(t *testing.T, env *daemontest.Env, rec *host.Recorder, path string, params url.Values, images ...string) ([]planStep, []string) {
	t.Helper()
	root := env.RootAuth()
	tasks := len(env.MustOK(root, "GET", "/nodes/"+daemontest.Node+"/tasks", url.Values{"limit": {"1000"}}).Data.([]any))
	before, calls := treeHash(t, env.Root, images...), len(rec.Calls())
	p := url.Values{"dry-run": {"1"}}
	for k, v := range params {
		p[k] = v
	}
	data := env.MustOK(root, "POST", path, p).Data.(map[string]any)
	if after := treeHash(t, env.Root, images...); !maps.Equal(after, before) {
		t.Errorf("the dry run changed the disk:\n%s", diffHashes(before, after))
	}
	if n := len(env.MustOK(root, "GET", "/nodes/"+daemontest.Node+"/tasks", url.Values{"limit": {"1000"}}).Data.([]any)); n != tasks {
		t.Errorf("the dry run started a task (%d tasks, %d before)", n, tasks)
	}
	var steps []planStep
	for _, s := range data["steps"].([]any) {
		m := s.(map[string]any)
		st := planStep{Text: m["text"].(string)}
		st.When, _ = m["when"].(string)
		st.File, _ = m["file"].(map[string]any)
		for _, w := range listAny(m["cmd"]) {
			st.Cmd = append(st.Cmd, w.(string))
		}
		steps = append(steps, st)
	}
	ran := rec.Calls()[calls:]
	for _, st := range steps {
		if st.Cmd != nil && slices.Contains(ran, strings.Join(st.Cmd, " ")) {
			t.Errorf("the dry run ran %q", strings.Join(st.Cmd, " "))
		}
	}
	return steps, ran
}

func listAny(v any) []any { l, _ := v.([]any); return l }

// realRun makes the same request without dry-run, waits for the task and
// returns the commands it ran that the dry run did not (the checks both
// make are left out) and the task's log.
func realRun(t *testing.T, env *daemontest.Env, rec *host.Recorder, path string, params url.Values, checks []string) ([][]string, string) {
	t.Helper()
	calls := len(rec.Calls())
	upid := env.MustOK(env.RootAuth(), "POST", path, params).Data.(string)
	st, log := waitTask(t, env, upid)
	if st != "OK" {
		t.Fatalf("create: %s\n%s", st, log)
	}
	var out [][]string
	for _, c := range rec.CallArgs()[calls:] {
		if !slices.Contains(checks, strings.Join(c, " ")) {
			out = append(out, c)
		}
	}
	return out, log
}

var reVar = regexp.MustCompile(`<([a-z]+)>`)

// planMatches checks that ran are the plan's commands in order: a "<name>"
// in a planned word stands for one value throughout, a step with a
// condition may be left out. It returns the values.
func planMatches(t *testing.T, steps []planStep, ran [][]string) map[string]string {
	t.Helper()
	vars := map[string]string{}
	i := 0
	for _, st := range steps {
		if st.Cmd == nil {
			continue
		}
		if i < len(ran) && matchArgv(st.Cmd, ran[i], vars) {
			i++
			continue
		}
		if st.When == "" {
			t.Errorf("planned %q, ran %q (all: %q)", strings.Join(st.Cmd, " "), ran[min(i, len(ran)-1)], ran)
			return vars
		}
	}
	if i != len(ran) {
		t.Errorf("ran more than planned: %q", ran[i:])
	}
	return vars
}

func matchArgv(plan, ran []string, vars map[string]string) bool {
	if len(plan) != len(ran) {
		return false
	}
	learnt := map[string]string{}
	for i, w := range plan {
		names := reVar.FindAllStringSubmatch(w, -1)
		pat := "^" + reVar.ReplaceAllStringFunc(regexp.QuoteMeta(w), func(v string) string {
			if known, ok := vars[v[1:len(v)-1]]; ok {
				return regexp.QuoteMeta(known)
			}
			return "(.+)"
		}) + "$"
		m := regexp.MustCompile(pat).FindStringSubmatch(ran[i])
		if m == nil {
			return false
		}
		g := 1
		for _, n := range names {
			if _, ok := vars[n[1]]; !ok {
				learnt[n[1]] = m[g]
				g++
			}
		}
	}
	for k, v := range learnt {
		vars[k] = v
	}
	return true
}

// treeHash hashes every path, type, link target and content under root
// (the store's database included) and of the given files, but /sys (the
// kernel's links) and the metrics the daemon's own loop writes.
func treeHash(t *testing.T, root string, files ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	add := func(p, rel string, d fs.DirEntry) error {
		h := sha256.New()
		fmt.Fprint(h, d.Type())
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			io.WriteString(h, l)
		case d.Type().IsRegular():
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			io.Copy(h, f)
			f.Close()
		}
		out[rel] = hex.EncodeToString(h.Sum(nil))
		return nil
	}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if rel == "sys" || rel == "var/lib/hostadm/rrd" {
			return filepath.SkipDir
		}
		return add(p, rel, d)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		st, err := os.Lstat(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := add(f, f, fs.FileInfoToDirEntry(st)); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func diffHashes(a, b map[string]string) string {
	var out []string
	for k, v := range a {
		if b[k] != v {
			out = append(out, "changed or gone: "+k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, "new: "+k)
		}
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}

// sameRefusal checks that a dry run and a real create answer bad input
// alike (status, message, per-field errors).
func sameRefusal(t *testing.T, env *daemontest.Env, path string, params url.Values) {
	t.Helper()
	root := env.RootAuth()
	real := env.Do(root, "POST", path, params)
	p := url.Values{"dry-run": {"1"}}
	for k, v := range params {
		p[k] = v
	}
	dry := env.Do(root, "POST", path, p)
	if real.Status < 400 || dry.Status != real.Status || dry.Message != real.Message || fmt.Sprint(dry.Errors) != fmt.Sprint(real.Errors) {
		t.Errorf("%v: dry run %d %q %v, create %d %q %v", params, dry.Status, dry.Message, dry.Errors, real.Status, real.Message, real.Errors)
	}
}

func TestZFSCreateDryRun(t *testing.T) {
	env, rec := zfsEnv(t)
	base := "/nodes/" + daemontest.Node + "/disks/zfs"
	for _, bad := range []url.Values{
		{"name": {"p1"}, "raidlevel": {"raidz"}, "devices": {"/dev/sdb,/dev/sdc"}},
		{"name": {"tank"}, "raidlevel": {"mirror"}, "devices": {"/dev/sdb,/dev/sdc"}},
		{"name": {"1pool"}, "raidlevel": {"single"}, "devices": {"/dev/sdb"}},
		{"name": {"p1"}, "raidlevel": {"mirror"}, "devices": {"/dev/sdb,/etc/passwd"}},
	} {
		sameRefusal(t, env, base, bad)
	}
	params := url.Values{"name": {"mypool"}, "raidlevel": {"raid10"}, "compression": {"lz4"}, "ashift": {"13"},
		"devices": {"/dev/sdb,/dev/sdc,/dev/sdd,/dev/sde"}, "add_storage": {"1"}}
	steps, checks := dryRun(t, env, rec, base, params)
	id := func(n string) string { return "/dev/disk/by-id/ata-DISK_" + strings.ToUpper(n) }
	want := []string{"zpool", "create", "-o", "ashift=13", "mypool", "mirror", id("sdb"), id("sdc"), "mirror", id("sdd"), id("sde")}
	if !slices.Equal(steps[0].Cmd, want) {
		t.Errorf("plan %v", steps)
	}
	last := steps[len(steps)-1]
	if last.File == nil || last.File["path"] != "/etc/pve/storage.cfg" ||
		last.File["content"] != "zfspool: mypool\n\tpool mypool\n\tcontent rootdir,images\n\tnodes testnode\n\n" {
		t.Errorf("storage step %+v", last)
	}
	if r := env.Do(env.RootAuth(), "GET", "/storage/mypool", nil); r.Status == 200 {
		t.Errorf("the dry run added the storage")
	}
	rec.On(want, host.Reply{})
	rec.On([]string{"zfs", "set", "compression=lz4", "mypool"}, host.Reply{})
	ran, _ := realRun(t, env, rec, base, params, checks)
	planMatches(t, steps, ran)
}

func TestLVMCreateDryRun(t *testing.T) {
	disktest.Need(t, "pvcreate", "vgcreate", "vgs", "pvs", "vgremove")
	l := disktest.AttachLoop(t, 64)
	name := "hostadmdry" + strings.TrimPrefix(l.Name, "loop")
	disktest.RemoveVGAtEnd(t, name, l)
	env, rec := diskEnv(t, l)
	base := "/nodes/" + daemontest.Node + "/disks/lvm"
	sameRefusal(t, env, base, url.Values{"device": {"/dev/nonexistent"}, "name": {name}})
	sameRefusal(t, env, base, url.Values{"device": {l.Dev}, "name": {"-bad"}})
	params := url.Values{"device": {l.Dev}, "name": {name}, "add_storage": {"1"}}
	steps, checks := dryRun(t, env, rec, base, params, l.Image)
	if len(steps) != 4 || strings.Join(steps[0].Cmd, " ") != "pvcreate --metadatasize 250k "+l.Dev ||
		strings.Join(steps[1].Cmd, " ") != "vgcreate "+name+" "+l.Dev || steps[3].File["path"] != "/etc/pve/storage.cfg" {
		t.Errorf("plan %+v", steps)
	}
	ran, _ := realRun(t, env, rec, base, params, checks)
	planMatches(t, steps, ran)
	// Now the device is used and the name taken: the dry run says so as the task would.
	r := env.Do(env.RootAuth(), "POST", base, url.Values{"device": {l.Dev}, "name": {"other"}, "dry-run": {"1"}})
	if r.Status != 500 || r.Message != "device '"+l.Dev+"' is already in use\n" {
		t.Errorf("used device: %d %q", r.Status, r.Message)
	}
}

// TestLVMThinCreateDryRun replays the thin pool's run (lvcreate needs
// device-mapper, and a PV big enough for a pool makes a real run slow;
// the VG part runs for real in TestLVMCreateDryRun, the thin sizes in
// lvm's TestCreateThin): the PV's size is what pvs prints for a 3 GiB
// disk, and the pool's sizes the plan shows as <data> and <metadata> are
// the ones lvcreate then gets.
func TestLVMThinCreateDryRun(t *testing.T) {
	env, rec := zfsEnv(t)
	rec.On(lvm.VGArgs, host.Reply{})
	base := "/nodes/" + daemontest.Node + "/disks/lvmthin"
	params := url.Values{"device": {"/dev/sdb"}, "name": {"thin1"}, "add_storage": {"1"}}
	steps, checks := dryRun(t, env, rec, base, params)
	if got := strings.Join(steps[len(steps)-3].Cmd, " "); got != "lvcreate --type thin-pool -L<data>K --poolmetadatasize <metadata>K -n thin1 thin1" {
		t.Errorf("planned %q", got)
	}
	data, meta := lvm.ThinSizes(3141632)
	create := lvm.ThinCreateArgs("thin1", data, meta)
	for _, argv := range [][]string{{"pvcreate", "--metadatasize", "250k", "/dev/sdb"}, {"vgcreate", "thin1", "/dev/sdb"}, create} {
		rec.On(argv, host.Reply{})
	}
	rec.On(lvm.PVInfoArgs("/dev/sdb"), host.Reply{Stdout: "  /dev/sdb:3141632.00:thin1:Xk2aQe-1sVd-0f3o-8bZ1-9mWq-Tz4P-c7RkLd\n"})
	ran, _ := realRun(t, env, rec, base, params, checks)
	vars := planMatches(t, steps, ran)
	if "-L"+vars["data"]+"K" != create[3] || vars["metadata"]+"K" != create[5] {
		t.Errorf("learnt %v, lvcreate %v", vars, create)
	}
}

func TestDirectoryCreateDryRun(t *testing.T) {
	disktest.Need(t, "sgdisk", "partx", "mkfs.ext4", "blkid")
	l := disktest.AttachLoop(t, 64)
	env, rec := diskEnv(t, l)
	base := "/nodes/" + daemontest.Node + "/disks/directory"
	name := "dry-" + l.Name
	unit := directory.UnitName(name)
	for _, v := range []string{"daemon-reload", "enable " + unit, "start " + unit} {
		rec.On(append([]string{"systemctl"}, strings.Fields(v)...), host.Reply{})
	}
	sameRefusal(t, env, base, url.Values{"device": {l.Dev}, "name": {name}, "filesystem": {"btrfs"}})
	params := url.Values{"device": {l.Dev}, "name": {name}, "filesystem": {"ext4"}, "add_storage": {"1"}}
	steps, checks := dryRun(t, env, rec, base, params, l.Image)
	var unitStep *planStep
	for i := range steps {
		if steps[i].File != nil && steps[i].File["path"] == directory.UnitPath(name) {
			unitStep = &steps[i]
		}
	}
	if unitStep == nil || !strings.Contains(unitStep.File["content"].(string), "What=/dev/disk/by-uuid/<uuid>\n") {
		t.Errorf("no mount unit planned: %+v", steps)
	}
	ran, _ := realRun(t, env, rec, base, params, checks)
	vars := planMatches(t, steps, ran)
	uuid := strings.TrimSpace(disktest.Run(t, "blkid", "-s", "UUID", "-o", "value", l.Dev+"p1"))
	if vars["partition"] != l.Dev+"p1" {
		t.Errorf("learnt %v", vars)
	}
	b, err := os.ReadFile(filepath.Join(env.Root, directory.UnitPath(name)))
	if err != nil || string(b) != strings.ReplaceAll(unitStep.File["content"].(string), "<uuid>", uuid) {
		t.Errorf("unit written %q, planned %q (%v)", b, unitStep.File["content"], err)
	}
}

func TestBtrfsCreateDryRun(t *testing.T) {
	disktest.Need(t, "mkfs.btrfs", "btrfs", "blkid", "mount", "umount")
	a, b := disktest.AttachLoop(t, 256), disktest.AttachLoop(t, 256)
	env, rec := diskEnv(t, a, b)
	mnt := filepath.Join(env.Root, "mnt/pve/drybtrfs")
	disktest.UnmountBtrfsAtEnd(t, mnt, a, b)
	base := "/nodes/" + daemontest.Node + "/disks/btrfs"
	sameRefusal(t, env, base, url.Values{"name": {"drybtrfs"}, "devices": {a.Dev}, "data": {"raid1"}})
	sameRefusal(t, env, base, url.Values{"name": {"drybtrfs"}, "devices": {a.Dev + "," + a.Dev}})
	params := url.Values{"name": {"drybtrfs"}, "devices": {a.Dev + "," + b.Dev}, "data": {"raid1"}, "metadata": {"raid1"},
		"compression": {"zstd"}, "add_storage": {"1"}}
	steps, checks := dryRun(t, env, rec, base, params, a.Image, b.Image)
	var fstab *planStep
	for i := range steps {
		if steps[i].File != nil && steps[i].File["path"] == "/etc/fstab" {
			fstab = &steps[i]
		}
	}
	if fstab == nil || fstab.File["line"] != "UUID=<uuid> /mnt/pve/drybtrfs btrfs defaults,compress=zstd 0 0" {
		t.Errorf("fstab step %+v", fstab)
	}
	ran, _ := realRun(t, env, rec, base, params, checks)
	planMatches(t, steps, ran)
	uuid := strings.TrimSpace(disktest.Run(t, "blkid", "-s", "UUID", "-o", "value", a.Dev))
	written, _ := os.ReadFile(filepath.Join(env.Root, "etc/fstab"))
	if line := strings.ReplaceAll(fstab.File["line"].(string), "<uuid>", uuid); !strings.Contains(string(written), line+"\n") {
		t.Errorf("fstab %q, planned %q with UUID %s", written, fstab.File["line"], uuid)
	}
}
