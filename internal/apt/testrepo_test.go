package apt_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// testPkg is a package the test repository or the sandbox holds.
type testPkg struct{ name, version, depends string }

// testRepo is a signed APT repository built by the test with dpkg-deb,
// apt-ftparchive and a throwaway GPG key, served over HTTP on loopback.
type testRepo struct {
	dir    string // repository root
	debs   string // where built .deb files are kept
	key    []byte // binary public key (for signed-by)
	gnupg  string
	server *httptest.Server
}

func needTools(t *testing.T) {
	for _, tool := range []string{"apt-get", "apt-ftparchive", "dpkg-deb", "dpkg", "gpg", "gpgv"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (Debian packages apt-utils, gnupg): %v", tool, err)
		}
	}
}

func run(t testing.TB, env []string, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, errb.String())
	}
	return out.Bytes()
}

func newTestRepo(t *testing.T) *testRepo {
	t.Helper()
	base := t.TempDir()
	r := &testRepo{dir: filepath.Join(base, "repo"), debs: filepath.Join(base, "debs"), gnupg: filepath.Join(base, "gnupg")}
	for _, d := range []string{r.dir + "/pool", r.debs} {
		os.MkdirAll(d, 0o755)
	}
	os.MkdirAll(r.gnupg, 0o700)
	env := []string{"GNUPGHOME=" + r.gnupg}
	run(t, env, "gpg", "--batch", "--quiet", "--passphrase", "", "--quick-gen-key", "hostadm test repo <repo@example.com>", "ed25519", "sign", "never")
	r.key = run(t, env, "gpg", "--batch", "--export")
	r.server = httptest.NewServer(http.FileServer(http.Dir(r.dir)))
	t.Cleanup(r.server.Close)
	return r
}

// build makes a .deb and returns its path.
func (r *testRepo) build(t *testing.T, p testPkg) string {
	t.Helper()
	d := filepath.Join(r.debs, "src", p.name+"-"+p.version)
	os.MkdirAll(filepath.Join(d, "DEBIAN"), 0o755)
	os.MkdirAll(filepath.Join(d, "usr/share/doc", p.name), 0o755)
	ctl := fmt.Sprintf("Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: Test <t@example.com>\nSection: admin\nPriority: optional\n", p.name, p.version)
	if p.depends != "" {
		ctl += "Depends: " + p.depends + "\n"
	}
	ctl += fmt.Sprintf("Description: the %s test package\n First line of the long description.\n Second line.\n", p.name)
	os.WriteFile(filepath.Join(d, "DEBIAN/control"), []byte(ctl), 0o644)
	os.WriteFile(filepath.Join(d, "usr/share/doc", p.name, "VERSION"), []byte(p.version+"\n"), 0o644)
	deb := filepath.Join(r.debs, fmt.Sprintf("%s_%s_all.deb", p.name, p.version))
	run(t, nil, "dpkg-deb", "-Zgzip", "--build", d, deb)
	return deb
}

// publish puts packages into the pool and writes signed indices for the
// suite; with badSig the InRelease signature is broken afterwards.
func (r *testRepo) publish(t *testing.T, suite string, pkgs []testPkg, badSig bool) {
	t.Helper()
	for _, p := range pkgs {
		deb := r.build(t, p)
		b, _ := os.ReadFile(deb)
		os.WriteFile(filepath.Join(r.dir, "pool", filepath.Base(deb)), b, 0o644)
		cl := filepath.Join(r.dir, "changelogs/main", p.name[:1], p.name, p.name+"_"+p.version+"_changelog")
		os.MkdirAll(filepath.Dir(cl), 0o755)
		os.WriteFile(cl, []byte(fmt.Sprintf("%s (%s) %s; urgency=medium\n\n  * Release %s.\n\n -- Test <t@example.com>  Thu, 01 Jan 2026 00:00:00 +0000\n", p.name, p.version, suite, p.version)), 0o644)
	}
	dist := filepath.Join(r.dir, "dists", suite)
	os.MkdirAll(filepath.Join(dist, "main/binary-amd64"), 0o755)
	cmd := exec.Command("apt-ftparchive", "packages", "pool")
	cmd.Dir = r.dir
	idx, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dist, "main/binary-amd64/Packages"), idx, 0o644)
	rel := run(t, nil, "apt-ftparchive", "-o", "APT::FTPArchive::Release::Origin=HostadmTest",
		"-o", "APT::FTPArchive::Release::Suite="+suite, "-o", "APT::FTPArchive::Release::Codename="+suite,
		"-o", "APT::FTPArchive::Release::Components=main", "-o", "APT::FTPArchive::Release::Architectures=amd64 all",
		"release", dist)
	// apt-ftparchive 2.6 cannot write the Changelogs field; apt-get
	// changelog needs it for a non-Debian origin.
	rel = append([]byte("Changelogs: "+r.server.URL+"/changelogs/@CHANGEPATH@_changelog\n"), rel...)
	os.WriteFile(filepath.Join(dist, "Release"), rel, 0o644)
	inrel := filepath.Join(dist, "InRelease")
	os.Remove(inrel)
	run(t, []string{"GNUPGHOME=" + r.gnupg}, "gpg", "--batch", "--yes", "--clearsign", "-o", inrel, filepath.Join(dist, "Release"))
	if badSig {
		b, _ := os.ReadFile(inrel)
		b = bytes.Replace(b, []byte("Origin: HostadmTest"), []byte("Origin: HostadmEvil"), 1)
		os.WriteFile(inrel, b, 0o644)
	}
}

// prepareSandbox lays out an apt/dpkg sandbox under root that trusts the
// repository, and installs the given packages into the sandbox's dpkg
// database with the real dpkg.
func (r *testRepo) prepareSandbox(t *testing.T, root, codename string, installed []testPkg) {
	t.Helper()
	for _, d := range []string{"etc/apt/sources.list.d", "etc/apt/apt.conf.d", "etc/apt/preferences.d",
		"var/lib/dpkg/updates", "var/lib/dpkg/info", "var/lib/apt/lists/partial",
		"var/cache/apt/archives/partial", "usr/share/keyrings", "var/log/apt"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	for f, c := range map[string]string{
		"var/lib/dpkg/status":    "",
		"var/lib/dpkg/available": "",
		"etc/os-release":         "ID=debian\nVERSION_CODENAME=" + codename + "\n",
		// apt drops to the _apt user for downloads, which cannot enter
		// the test's private temporary directory.
		"etc/apt/apt.conf.d/00sandbox": "APT::Sandbox::User \"root\";\n",
		"usr/share/keyrings/test.gpg":  string(r.key),
		"etc/apt/sources.list.d/test.list": fmt.Sprintf("deb [signed-by=%s] %s %s main\n",
			filepath.Join(root, "usr/share/keyrings/test.gpg"), r.server.URL, codename),
	} {
		os.WriteFile(filepath.Join(root, f), []byte(c), 0o644)
	}
	for _, p := range installed {
		run(t, nil, "dpkg", "--root="+root, "--force-bad-path", "-i", r.build(t, p))
	}
}

// statusVersion is a package's version in the sandbox's dpkg database.
func statusVersion(t *testing.T, root, pkg string) string {
	b, _ := os.ReadFile(filepath.Join(root, "var/lib/dpkg/status"))
	for _, st := range strings.Split(string(b), "\n\n") {
		if strings.Contains(st, "Package: "+pkg+"\n") && strings.Contains(st, "Status: install ok installed") {
			for _, l := range strings.Split(st, "\n") {
				if v, ok := strings.CutPrefix(l, "Version: "); ok {
					return v
				}
			}
		}
	}
	return ""
}
