package cli_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/daemon/daemontest"
)

// aptSandbox builds a trusted repository (indices by apt-ftparchive,
// served over HTTP on loopback) with hello 2.0 and an apt/dpkg sandbox
// under root with hello 1.0 and proxmox-ve installed by the real dpkg.
// Nothing leaves the machine.
func aptSandbox(t *testing.T, root string) {
	t.Helper()
	for _, tool := range []string{"apt-get", "apt-ftparchive", "dpkg-deb", "dpkg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (Debian packages apt, apt-utils, dpkg): %v", tool, err)
		}
	}
	repo := t.TempDir()
	for _, d := range []string{"pool", "dists/bookworm/main/binary-amd64", "changelogs/main/h/hello",
		"etc/apt/sources.list.d", "etc/apt/apt.conf.d", "etc/apt/preferences.d", "var/lib/dpkg/updates",
		"var/lib/dpkg/info", "var/lib/apt/lists/partial", "var/cache/apt/archives/partial", "var/log/apt"} {
		os.MkdirAll(filepath.Join(repo, d), 0o755)
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	build := func(name, version, dir string) string {
		d := filepath.Join(t.TempDir(), name)
		os.MkdirAll(filepath.Join(d, "DEBIAN"), 0o755)
		os.WriteFile(filepath.Join(d, "DEBIAN/control"), []byte("Package: "+name+"\nVersion: "+version+
			"\nArchitecture: all\nMaintainer: T <t@example.com>\nDescription: the "+name+" test package\n"), 0o644)
		deb := filepath.Join(dir, name+"_"+version+"_all.deb")
		mustExec(t, repo, "dpkg-deb", "-Zgzip", "--build", d, deb)
		return deb
	}
	old := build("hello", "1.0", t.TempDir())
	ve := build("proxmox-ve", "8.4.0", t.TempDir())
	build("hello", "2.0", filepath.Join(repo, "pool"))
	srv := httptest.NewServer(http.FileServer(http.Dir(repo)))
	t.Cleanup(srv.Close)
	os.WriteFile(filepath.Join(repo, "changelogs/main/h/hello/hello_2.0_changelog"),
		[]byte("hello (2.0) bookworm; urgency=medium\n\n  * Release 2.0.\n\n -- T <t@example.com>  Thu, 01 Jan 2026 00:00:00 +0000\n"), 0o644)
	os.WriteFile(filepath.Join(repo, "dists/bookworm/main/binary-amd64/Packages"),
		mustExec(t, repo, "apt-ftparchive", "packages", "pool"), 0o644)
	rel := mustExec(t, repo, "apt-ftparchive", "-o", "APT::FTPArchive::Release::Suite=bookworm",
		"-o", "APT::FTPArchive::Release::Codename=bookworm", "-o", "APT::FTPArchive::Release::Components=main",
		"-o", "APT::FTPArchive::Release::Architectures=amd64 all", "release", "dists/bookworm")
	rel = append([]byte("Origin: HostadmTest\nChangelogs: "+srv.URL+"/changelogs/@CHANGEPATH@_changelog\n"), rel...)
	os.WriteFile(filepath.Join(repo, "dists/bookworm/Release"), rel, 0o644)
	for f, c := range map[string]string{
		"var/lib/dpkg/status":              "",
		"var/lib/dpkg/available":           "",
		"etc/os-release":                   "ID=debian\nVERSION_CODENAME=bookworm\n",
		"etc/apt/apt.conf.d/00sandbox":     "APT::Sandbox::User \"root\";\n",
		"etc/apt/sources.list.d/test.list": fmt.Sprintf("deb [trusted=yes] %s bookworm main\n", srv.URL),
	} {
		os.WriteFile(filepath.Join(root, f), []byte(c), 0o644)
	}
	mustExec(t, repo, "dpkg", "--root="+root, "--force-bad-path", "-i", old, ve)
}

func mustExec(t *testing.T, dir, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return out
}

// TestAptCommands runs `hostadm apt` in process against the test root:
// repos (text and JSON), disable/enable by path and index, update and
// upgrade following their tasks with real apt-get and dpkg in the
// sandbox, list-upgrades, changelog, versions, add-standard, and bad input.
func TestAptCommands(t *testing.T) {
	env := daemontest.Start(t, daemontest.Options{Prepare: func(root string) { aptSandbox(t, root) }})
	flags := []string{"--root", env.Root, "--node", daemontest.Node}
	apt := func(args ...string) string {
		return mustRun(t, append(append([]string{"hostadm", "apt"}, args...), flags...)...)
	}
	list := "/etc/apt/sources.list.d/test.list"

	var repos struct {
		Files []struct {
			Path         string
			Repositories []struct{ Enabled int }
		}
		Digest string
	}
	if err := json.Unmarshal([]byte(apt("repos", "--output-format", "json")), &repos); err != nil {
		t.Fatal(err)
	}
	if len(repos.Files) != 1 || repos.Files[0].Path != list || repos.Files[0].Repositories[0].Enabled != 1 || repos.Digest == "" {
		t.Fatalf("repos %+v", repos)
	}
	apt("disable", list, "0", "--digest", repos.Digest)
	if b, _ := os.ReadFile(filepath.Join(env.Root, list)); !strings.HasPrefix(string(b), "# deb [ trusted=yes ] http://127.0.0.1:") {
		t.Fatalf("disabled file %q", b)
	}
	if out := apt("repos"); !strings.Contains(out, list) || !strings.Contains(out, " no ") {
		t.Errorf("repos text:\n%s", out)
	}
	code, _, errOut := run(t, "", append([]string{"hostadm", "apt", "enable", list, "0", "--digest", repos.Digest}, flags...)...)
	if code == 0 || !strings.Contains(errOut, "detected modified configuration") {
		t.Errorf("stale digest: %d %s", code, errOut)
	}
	code, _, errOut = run(t, "", append([]string{"hostadm", "apt", "enable", list}, flags...)...)
	if code == 0 || !strings.Contains(errOut, "wrong number of arguments") {
		t.Errorf("missing index: %d %s", code, errOut)
	}
	apt("enable", list, "0")

	if out := apt("update"); !strings.Contains(out, "TASK OK") {
		t.Fatalf("update:\n%s", out)
	}
	out := apt("list-upgrades", "--noborder")
	if !strings.Contains(out, "hello") || !strings.Contains(out, "1.0") || !strings.Contains(out, "2.0") {
		t.Errorf("list-upgrades:\n%s", out)
	}
	if out := apt("changelog", "hello", "--version", "2.0"); !strings.Contains(out, "Release 2.0.") {
		t.Errorf("changelog:\n%s", out)

	}
	if out := apt("upgrade"); !strings.Contains(out, "no reboot required") || !strings.Contains(out, "TASK OK") {
		t.Errorf("upgrade:\n%s", out)
	}
	if out := apt("versions"); !strings.Contains(out, "proxmox-ve: 8.4.0") {
		t.Errorf("versions:\n%s", out)
	}
	if out := apt("list-upgrades", "--output-format", "json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("after upgrade: %s", out)
	}

	apt("add-standard", "no-subscription")
	if b, _ := os.ReadFile(filepath.Join(env.Root, "etc/apt/sources.list")); !strings.Contains(string(b),
		"deb http://download.proxmox.com/debian/pve bookworm pve-no-subscription") {
		t.Errorf("sources.list %q", b)
	}
	code, _, errOut = run(t, "", append([]string{"hostadm", "apt", "add-standard", "no-such-repo"}, flags...)...)
	if code == 0 || errOut == "" {
		t.Errorf("unknown handle: %d %s", code, errOut)
	}
}
