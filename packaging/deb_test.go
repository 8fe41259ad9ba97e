package packaging_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// baseCache keeps the clean Debian system between runs (the first run makes
// it with mmdebstrap from Debian's packages, later runs unpack it).
const baseCache = "/var/cache/hostadm-test"

// basePackages are fetched into the base system's apt cache (not installed),
// so apt-get resolves the package's dependencies from Debian's package lists
// at test time without downloading them again.
var basePackages = []string{"iproute2", "libpam0g", "libpam-modules", "libpam-runtime", "init-system-helpers", "ca-certificates"}

// TestDebInstallsInCleanDebian builds two versions of the .deb, installs the
// first into a clean Debian system made with mmdebstrap, starts the unit's
// ExecStart there and logs in over HTTPS from outside, upgrades to the
// second and checks that the store and the task history survived, then
// removes and purges the package.
func TestDebInstallsInCleanDebian(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two packages and a Debian system")
	}
	if os.Geteuid() != 0 {
		t.Skip("installing into a chroot needs root")
	}
	for _, tool := range []string{"mmdebstrap", "dpkg-deb", "lintian", "unshare", "chroot"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (scripts/deps.sh test installs it)", tool)
		}
	}
	dir := t.TempDir()
	deb1 := buildDeb(t, dir, "0.1.0+debtest1")
	deb2 := buildDeb(t, dir, "0.1.0+debtest2")
	runLintian(t, deb1)

	sys := unpackBase(t, filepath.Join(dir, "sys"))
	for _, deb := range []string{deb1, deb2} {
		copyFile(t, deb, filepath.Join(sys, "tmp", filepath.Base(deb)))
	}

	out := chroot(t, sys, "", "apt-get", "install", "-y", "--no-install-recommends", "/tmp/"+filepath.Base(deb1))
	mustContain(t, out, "systemd is not running here")
	for _, name := range []string{"pvesh", "pveum", "pvenode", "pvesm"} {
		if target, err := os.Readlink(filepath.Join(sys, "usr/bin", name)); err != nil || target != "hostadm" {
			t.Errorf("/usr/bin/%s: link %q, %v; want a link to hostadm", name, target, err)
		}
	}
	for _, f := range []string{"usr/share/man/man1/hostadm.1.gz", "usr/share/man/man1/hostadm-pvesh.1.gz",
		"usr/share/bash-completion/completions/hostadm", "etc/pam.d/proxmox-ve-auth", "usr/share/doc/hostadm/copyright"} {
		if _, err := os.Stat(filepath.Join(sys, f)); err != nil {
			t.Errorf("the package did not install /%s: %v", f, err)
		}
	}
	if fi, err := os.Stat(filepath.Join(sys, "var/lib/hostadm")); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("/var/lib/hostadm: %v %v, want a 0700 directory", fi, err)
	}
	units, _ := filepath.Glob("*.service")
	for _, u := range units {
		verifyUnit(t, filepath.Join(sys, "lib/systemd/system", u), filepath.Join(sys, "usr/bin/hostadm"))
	}
	if len(units) < 3 {
		t.Errorf("the package should carry the daemon's, the network commit's and the guests' units, found %v", units)
	}
	chroot(t, sys, "root:debtest-secret\n", "chpasswd")
	// The daemon's apt update task must not reach out: empty the sources.
	chroot(t, sys, "", "rm", "-f", "/etc/apt/sources.list", "/etc/apt/sources.list.d/debian.sources")

	argv := execStart(t, filepath.Join(sys, "lib/systemd/system/hostadm.service"))
	d := startDaemon(t, sys, argv)
	c := d.login(t)
	c.do(t, "POST", "/access/users", url.Values{"userid": {"keeper@pve"}, "comment": {"survives upgrades"}})
	upid, _ := c.do(t, "POST", "/nodes/"+d.node(t, c)+"/apt/update", nil).(string)
	if !strings.HasPrefix(upid, "UPID:") {
		t.Fatalf("apt update answered %v, want a UPID", upid)
	}
	d.waitTask(t, c, upid)
	d.stop(t)

	out = chroot(t, sys, "", "apt-get", "install", "-y", "--no-install-recommends", "/tmp/"+filepath.Base(deb2))
	mustContain(t, out, "Unpacking hostadm (0.1.0+debtest2) over (0.1.0+debtest1)")
	d = startDaemon(t, sys, argv)
	c = d.login(t)
	if u, ok := c.do(t, "GET", "/access/users/keeper@pve", nil).(map[string]any); !ok || u["comment"] != "survives upgrades" {
		t.Errorf("after the upgrade keeper@pve is %v", u)
	}
	if !strings.Contains(fmt.Sprint(c.do(t, "GET", "/nodes/"+d.node(t, c)+"/tasks", nil)), upid) {
		t.Errorf("after the upgrade the task history lacks %s", upid)
	}
	if v, _ := c.do(t, "GET", "/version", nil).(map[string]any); v["hostadm"] != "0.1.0+debtest2" {
		t.Errorf("after the upgrade the daemon is %v, want 0.1.0+debtest2", v["hostadm"])
	}
	d.stop(t)

	out = chroot(t, sys, "", "apt-get", "remove", "-y", "hostadm")
	mustContain(t, out, "its data in /var/lib/hostadm is kept")
	for _, gone := range []string{"usr/bin/hostadm", "usr/bin/pvesh"} {
		if _, err := os.Lstat(filepath.Join(sys, gone)); err == nil {
			t.Errorf("/%s is still there after remove", gone)
		}
	}
	if _, err := os.Stat(filepath.Join(sys, "var/lib/hostadm/cfs.db")); err != nil {
		t.Errorf("remove lost the store: %v", err)
	}
	out = chroot(t, sys, "", "dpkg", "--purge", "hostadm")
	mustContain(t, out, "removing /var/lib/hostadm")
	if _, err := os.Stat(filepath.Join(sys, "var/lib/hostadm")); err == nil {
		t.Errorf("purge left /var/lib/hostadm")
	}
}

// buildDeb runs scripts/mkdeb.sh for one version into dir.
func buildDeb(t *testing.T, dir, version string) string {
	t.Helper()
	cmd := exec.Command("../scripts/mkdeb.sh", dir)
	cmd.Env = append(os.Environ(), "VERSION="+version)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("mkdeb.sh: %v\n%s", err, stderrOf(err))
	}
	deb := strings.TrimSpace(string(out))
	if !strings.HasSuffix(deb, "hostadm_"+version+"_amd64.deb") && !strings.Contains(deb, "hostadm_"+version+"_") {
		t.Fatalf("mkdeb.sh made %q for version %s", deb, version)
	}
	return deb
}

// runLintian fails on every error or warning that no override justifies.
func runLintian(t *testing.T, deb string) {
	t.Helper()
	out, err := exec.Command("lintian", "--fail-on", "error,warning", "--tag-display-limit", "0", deb).CombinedOutput()
	if err != nil {
		t.Errorf("lintian: %v\n%s", err, out)
	}
}

// unpackBase unpacks the cached base system into dir, making the cache first
// when this machine has none for its Debian release.
func unpackBase(t *testing.T, dir string) string {
	t.Helper()
	suite := debianSuite(t)
	sum := sha256.Sum256([]byte(suite + " " + strings.Join(basePackages, " ")))
	tarball := filepath.Join(baseCache, "debian-"+suite+"-"+hex.EncodeToString(sum[:6])+".tar")
	if _, err := os.Stat(tarball); err != nil {
		makeBase(t, suite, tarball)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("tar", "-C", dir, "-xf", tarball).CombinedOutput(); err != nil {
		t.Fatalf("unpacking %s: %v\n%s", tarball, err, out)
	}
	return dir
}

func makeBase(t *testing.T, suite, tarball string) {
	t.Helper()
	if err := os.MkdirAll(baseCache, 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := tarball + ".part"
	hook := `chroot "$1" apt-get install --download-only -y --no-install-recommends ` + strings.Join(basePackages, " ")
	cmd := exec.Command("mmdebstrap", "--quiet", "--variant=apt", "--skip=cleanup/apt",
		"--customize-hook="+hook, "--format=tar", suite, tmp)
	if out, err := cmd.CombinedOutput(); err != nil {
		os.Remove(tmp)
		t.Fatalf("mmdebstrap: %v\n%s", err, out)
	}
	if err := os.Rename(tmp, tarball); err != nil {
		t.Fatal(err)
	}
}

func debianSuite(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("/etc/os-release")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VERSION_CODENAME="); ok && v != "" {
			return strings.Trim(v, `"`)
		}
	}
	t.Skip("not a Debian release with a code name")
	return ""
}

// chrootCmd runs argv inside sys in its own mount namespace with /proc
// mounted: the mount goes away with the process. unshare and chroot exec
// argv, so the command keeps the PID that the test signals.
func chrootCmd(sys string, argv ...string) *exec.Cmd {
	args := append([]string{"--mount", "--mount-proc=" + filepath.Join(sys, "proc"), "chroot", sys}, argv...)
	cmd := exec.Command("unshare", args...)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "DEBIAN_FRONTEND=noninteractive", "LC_ALL=C"}
	return cmd
}

func chroot(t *testing.T, sys, stdin string, argv ...string) string {
	t.Helper()
	cmd := chrootCmd(sys, argv...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
	}
	return string(out)
}

// execStart reads the unit's ExecStart line as an argument vector.
func execStart(t *testing.T, unit string) []string {
	t.Helper()
	b, err := os.ReadFile(unit)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "ExecStart="); ok {
			return strings.Fields(v)
		}
	}
	t.Fatalf("%s has no ExecStart", unit)
	return nil
}

type daemon struct {
	cmd  *exec.Cmd
	addr string
	log  *bytes.Buffer
}

// startDaemon runs the unit's ExecStart in the chroot, on a free loopback
// port (a later --listen wins over the unit's).
func startDaemon(t *testing.T, sys string, argv []string) *daemon {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	d := &daemon{addr: addr, log: &bytes.Buffer{}}
	d.cmd = chrootCmd(sys, append(argv, "--listen", addr, "--auth-fail-delay", "0s")...)
	d.cmd.Stdout, d.cmd.Stderr = d.log, d.log
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := d.cmd.Process.Pid
	t.Cleanup(func() {
		if d.cmd.ProcessState == nil {
			syscall.Kill(pid, syscall.SIGKILL)
			d.cmd.Wait()
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})
		if err == nil {
			conn.Close()
			return d
		}
		if time.Now().After(deadline) || d.cmd.ProcessState != nil {
			t.Fatalf("the daemon did not answer on %s: %v\n%s", addr, err, d.log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (d *daemon) stop(t *testing.T) {
	t.Helper()
	d.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- d.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		d.cmd.Process.Kill()
		<-done
		t.Errorf("the daemon did not stop on SIGTERM\n%s", d.log)
	}
}

type client struct {
	base   string
	ticket string
	csrf   string
	http   *http.Client
}

// login asks for a ticket as root@pam, checked by PAM inside the chroot.
func (d *daemon) login(t *testing.T) *client {
	t.Helper()
	// The test checks installation and login, not the node's PKI: the
	// certificate is the node's own, made at first start.
	c := &client{base: "https://" + d.addr + "/api2/json", http: &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
	}}
	data, _ := c.do(t, "POST", "/access/ticket", url.Values{"username": {"root@pam"}, "password": {"debtest-secret"}}).(map[string]any)
	c.ticket, _ = data["ticket"].(string)
	c.csrf, _ = data["CSRFPreventionToken"].(string)
	if c.ticket == "" {
		t.Fatalf("login as root@pam answered %v\n%s", data, d.log)
	}
	return c
}

func (d *daemon) node(t *testing.T, c *client) string {
	t.Helper()
	nodes, _ := c.do(t, "GET", "/nodes", nil).([]any)
	if len(nodes) == 0 {
		t.Fatalf("GET /nodes listed no node")
	}
	n, _ := nodes[0].(map[string]any)["node"].(string)
	return n
}

func (d *daemon) waitTask(t *testing.T, c *client, upid string) {
	t.Helper()
	path := "/nodes/" + d.node(t, c) + "/tasks/" + url.PathEscape(upid) + "/status"
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if st, _ := c.do(t, "GET", path, nil).(map[string]any); st["status"] == "stopped" {
			return
		}
	}
	t.Fatalf("task %s did not end", upid)
}

// do calls the API and returns the answer's data, failing on any status
// but 200.
func (c *client) do(t *testing.T, method, path string, form url.Values) any {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(context.Background(), method, c.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c.ticket != "" {
		req.AddCookie(&http.Cookie{Name: "PVEAuthCookie", Value: c.ticket})
		req.Header.Set("CSRFPreventionToken", c.csrf)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %s %s", method, path, resp.Status, raw)
	}
	var env struct{ Data any }
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatalf("%s %s: %v in %s", method, path, err, raw)
	}
	return env.Data
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustContain(t *testing.T, out, want string) {
	t.Helper()
	if !strings.Contains(out, want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}
