package apt

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"hostadm/internal/host"
)

// newRoot builds a host root with the given files (host path → content).
func newRoot(t testing.TB, files map[string]string) (*Service, string) {
	t.Helper()
	dir := t.TempDir()
	for p, c := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	root, _ := host.NewRoot(dir)
	return New(Config{Root: root}), dir
}

func osRel(codename string) string {
	return "PRETTY_NAME=\"Debian\"\nVERSION_CODENAME=" + codename + "\nID=debian\n"
}

const bookwormList = `deb http://ftp.debian.org/debian bookworm main contrib
deb http://ftp.debian.org/debian bookworm-updates main contrib

# security updates
deb http://security.debian.org bookworm-security main contrib
`

func TestRepositoriesListing(t *testing.T) {
	svc, _ := newRoot(t, map[string]string{
		"/etc/os-release":                                                   osRel("bookworm"),
		"/etc/apt/sources.list":                                             bookwormList,
		"/etc/apt/sources.list.d/pve-enterprise.list":                       "deb https://enterprise.proxmox.com/debian/pve bookworm pve-enterprise\n",
		"/etc/apt/sources.list.d/old.list":                                  "deb http://deb.debian.org/debian bullseye main\ndeb http://deb.debian.org/debian sid main\ndeb http://deb.debian.org/debian trixie main\ndeb http://security.debian.org/debian-security bookworm/updates main\n",
		"/etc/apt/sources.list.d/broken.list":                               "deb http://x\n",
		"/etc/apt/sources.list.d/bad name.list":                             "",
		"/etc/apt/sources.list.d/noext":                                     "",
		"/etc/apt/sources.list.d/ignored.list.bak":                          "garbage",
		"/etc/apt/sources.list.d/.hidden.list":                              "garbage",
		"/etc/apt/sources.list.d/x.list.dpkg-old":                           "garbage",
		"/etc/apt/sources.list.d/ceph.list":                                 "# deb http://download.proxmox.com/debian/ceph-reef bookworm no-subscription\n",
		"/var/lib/apt/lists/ftp.debian.org_debian_dists_bookworm_InRelease": "Origin: Debian Mirror\nLabel: Debian\n",
		"/proc/cpuinfo":                                                     "processor\t: 0\nvendor_id\t: GenuineIntel\n",
	})
	l, err := svc.Repositories()
	if err != nil {
		t.Fatal(err)
	}
	var errs []string
	for _, e := range l.Errors {
		errs = append(errs, e.Path+": "+e.Error)
	}
	slices.Sort(errs)
	want := []string{
		"/etc/apt/sources.list.d/bad name.list: invalid characters in file name",
		"/etc/apt/sources.list.d/broken.list: malformed entry on line 1 - missing suite",
		"/etc/apt/sources.list.d/noext: invalid extension",
	}
	if !slices.Equal(errs, want) {
		t.Errorf("errors:\n%s", strings.Join(errs, "\n"))
	}
	var paths []string
	for _, f := range l.Files {
		paths = append(paths, f.Path)
		if len(f.Digest) != 32 {
			t.Errorf("%s digest has %d bytes", f.Path, len(f.Digest))
		}
	}
	if want := []string{"/etc/apt/sources.list", "/etc/apt/sources.list.d/ceph.list", "/etc/apt/sources.list.d/old.list", "/etc/apt/sources.list.d/pve-enterprise.list"}; !slices.Equal(paths, want) {
		t.Errorf("files %v", paths)
	}
	if len(l.Digest) != 64 {
		t.Errorf("digest %q", l.Digest)
	}
	infos := map[string]bool{}
	for _, in := range l.Infos {
		infos[strings.TrimPrefix(in.Path, "/etc/apt/")+":"+strconv.Itoa(in.Index)+":"+in.Kind+":"+in.Message] = true
	}
	for _, w := range []string{
		"sources.list:0:origin:Debian Mirror",
		"sources.list:1:origin:Debian",
		"sources.list.d/pve-enterprise.list:0:origin:Proxmox",
		"sources.list.d/old.list:0:warning:old suite 'bullseye' configured!",
		"sources.list.d/old.list:1:warning:suite 'sid' should not be used in production!",
		"sources.list.d/old.list:2:ignore-pre-upgrade-warning:suite 'trixie' should not be used in production!",
		"sources.list.d/old.list:3:warning:expected suite 'bookworm-security'",
	} {
		if !infos[w] {
			t.Errorf("missing info %q in %v", w, infos)
		}
	}
	status := map[string]string{}
	for _, s := range l.StandardRepos {
		v := "-"
		if s.Status != nil {
			v = strconv.Itoa(*s.Status)
		}
		status[s.Handle] = v
	}
	if status["enterprise"] != "1" || status["no-subscription"] != "-" || status["ceph-reef-no-subscription"] != "0" || len(l.StandardRepos) != 12 {
		t.Errorf("standard repos %v", status)
	}
	ids := map[string]bool{}
	for _, w := range l.Warnings {
		ids[w.ID] = true
	}
	for _, id := range []string{"enterprise-without-subscription", "firmware-component-missing"} {
		if !ids[id] {
			t.Errorf("missing warning %s in %v", id, ids)
		}
	}
	if ids["no-proxmox-repository"] || ids["no-debian-security-repository"] {
		t.Errorf("unexpected warnings %v", ids)
	}
	if l.Keyring == nil || l.Keyring.Status != "missing" {
		t.Errorf("keyring %+v", l.Keyring)
	}
}

func TestSetEnabledAndDigest(t *testing.T) {
	svc, dir := newRoot(t, map[string]string{
		"/etc/os-release":                             osRel("bookworm"),
		"/etc/apt/sources.list":                       bookwormList,
		"/etc/apt/sources.list.d/pve-enterprise.list": "deb https://enterprise.proxmox.com/debian/pve bookworm pve-enterprise\n",
		"/etc/apt/sources.list.d/broken.list":         "deb http://x\n",
	})
	ctx := context.Background()
	sn, _ := svc.Read()
	off := false
	p := "/etc/apt/sources.list.d/pve-enterprise.list"
	before := readAll(t, dir)
	for _, tc := range []struct {
		path, digest string
		index        int
		want         string
	}{
		{"/etc/apt/nope.list", "", 0, "invalid path - /etc/apt/nope.list"},
		{p, "", 1, "invalid index - 1"},
		{p, "", -1, "invalid index - -1"},
		{"/etc/apt/sources.list.d/broken.list", "", 0, "unable to parse file /etc/apt/sources.list.d/broken.list - malformed entry on line 1 - missing suite"},
		{p, strings.Repeat("0", 64), 0, host.ErrDigestMismatch.Error()},
	} {
		err := svc.SetEnabled(ctx, tc.path, tc.index, &off, tc.digest)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s/%d: got %v want %s", tc.path, tc.index, err, tc.want)
		}
	}
	if after := readAll(t, dir); after != before {
		t.Fatal("a failed change wrote to disk")
	}
	if err := svc.SetEnabled(ctx, p, 0, &off, sn.Digest); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, p))
	if string(got) != "# deb https://enterprise.proxmox.com/debian/pve bookworm pve-enterprise\n\n" {
		t.Errorf("written %q", got)
	}
	// The old digest is stale now.
	if err := svc.SetEnabled(ctx, p, 0, &off, sn.Digest); !errors.Is(err, host.ErrDigestMismatch) {
		t.Errorf("stale digest: %v", err)
	}
}

func readAll(t *testing.T, dir string) string {
	var b strings.Builder
	filepath.Walk(filepath.Join(dir, "etc/apt"), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			c, _ := os.ReadFile(p)
			b.WriteString(p + "\n" + string(c))
		}
		return nil
	})
	return b.String()
}

func TestAddStandard(t *testing.T) {
	ctx := context.Background()
	t.Run("bookworm", func(t *testing.T) {
		svc, dir := newRoot(t, map[string]string{"/etc/os-release": osRel("bookworm"), "/etc/apt/sources.list": bookwormList,
			"/etc/apt/sources.list.d/pve-enterprise.list": "# deb https://enterprise.proxmox.com/debian/pve bookworm pve-enterprise\n"})
		for _, h := range []string{"no-subscription", "test", "ceph-squid-no-subscription", "enterprise", "no-subscription"} {
			if err := svc.AddStandard(ctx, h, ""); err != nil {
				t.Fatalf("%s: %v", h, err)
			}
		}
		got, _ := os.ReadFile(filepath.Join(dir, "etc/apt/sources.list"))
		if !strings.HasSuffix(string(got), "deb http://download.proxmox.com/debian/pve bookworm pve-no-subscription\n\ndeb http://download.proxmox.com/debian/pve bookworm pvetest\n\n") {
			t.Errorf("sources.list:\n%s", got)
		}
		ceph, _ := os.ReadFile(filepath.Join(dir, "etc/apt/sources.list.d/ceph.list"))
		if string(ceph) != "deb http://download.proxmox.com/debian/ceph-squid bookworm no-subscription\n\n" {
			t.Errorf("ceph.list %q", ceph)
		}
		ent, _ := os.ReadFile(filepath.Join(dir, "etc/apt/sources.list.d/pve-enterprise.list"))
		if string(ent) != "deb https://enterprise.proxmox.com/debian/pve bookworm pve-enterprise\n\n" {
			t.Errorf("re-enabled %q", ent)
		}
		if err := svc.AddStandard(ctx, "ceph-tentacle-test", ""); err == nil || err.Error() != "unknown repository handle 'ceph-tentacle-test'" {
			t.Errorf("unknown handle: %v", err)
		}
	})
	t.Run("trixie", func(t *testing.T) {
		svc, dir := newRoot(t, map[string]string{"/etc/os-release": osRel("trixie")})
		for _, h := range []string{"no-subscription", "test", "ceph-tentacle-no-subscription"} {
			if err := svc.AddStandard(ctx, h, ""); err != nil {
				t.Fatalf("%s: %v", h, err)
			}
		}
		got, _ := os.ReadFile(filepath.Join(dir, "etc/apt/sources.list.d/proxmox.sources"))
		want := "Types: deb\nURIs: http://download.proxmox.com/debian/pve\nSuites: trixie\nComponents: pve-no-subscription\nSigned-By: /usr/share/keyrings/proxmox-archive-keyring.gpg\n\n" +
			"Types: deb\nURIs: http://download.proxmox.com/debian/pve\nSuites: trixie\nComponents: pve-test\nSigned-By: /usr/share/keyrings/proxmox-archive-keyring.gpg\n\n"
		if string(got) != want {
			t.Errorf("proxmox.sources:\n%s", got)
		}
		l, err := svc.Repositories()
		if err != nil {
			t.Fatal(err)
		}
		var handles []string
		for _, s := range l.StandardRepos {
			handles = append(handles, s.Handle)
		}
		if !slices.Contains(handles, "ceph-tentacle-test") || slices.Contains(handles, "ceph-quincy-test") {
			t.Errorf("trixie handles %v", handles)
		}
	})
	t.Run("broken target file", func(t *testing.T) {
		svc, _ := newRoot(t, map[string]string{"/etc/os-release": osRel("bookworm"), "/etc/apt/sources.list": "deb x\n"})
		err := svc.AddStandard(ctx, "no-subscription", "")
		if err == nil || !strings.HasPrefix(err.Error(), "unable to parse existing file /etc/apt/sources.list - ") {
			t.Errorf("got %v", err)
		}
	})
}
