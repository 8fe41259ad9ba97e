package access

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func roundTrip(t testing.TB, in []byte) []byte {
	t.Helper()
	c, err := ParseUserConfig(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := c.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestUserConfigGolden(t *testing.T) {
	in, err := os.ReadFile("testdata/usercfg.in")
	if err != nil {
		t.Fatal(err)
	}
	got := roundTrip(t, in)
	if *update {
		os.WriteFile("testdata/usercfg.golden", got, 0o644)
	}
	want, err := os.ReadFile("testdata/usercfg.golden")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
	// Idempotence: the canonical file round-trips byte for byte.
	if again := roundTrip(t, want); !bytes.Equal(again, want) {
		t.Fatalf("golden does not round-trip:\n%s", again)
	}
	c, _ := ParseUserConfig(bytes.NewReader(in))
	wantWarn := []string{"ignore token 'nobody@pve!xx' - user does not exist", "ignore user 'bad user@pve'",
		"ignore invalid privilege 'VM.Monitor'", "ignore invalid acl role 'Unknown'", "ignore config line: # a comment"}
	all := strings.Join(c.Warnings, "\n")
	for _, w := range wantWarn {
		if !strings.Contains(all, w) {
			t.Errorf("missing warning %q in:\n%s", w, all)
		}
	}
	if u := c.Users["alice@pve"]; u.Lastname != "Doe:Jr" || u.Comment != "Ops équipe" {
		t.Errorf("decoded texts: %+v", u)
	}
}

func TestUserConfigDefault(t *testing.T) {
	got := roundTrip(t, nil)
	if want := "user:root@pam:1:0::::::\n\n\n\n\n"; string(got) != want {
		t.Fatalf("default user.cfg = %q, want %q", got, want)
	}
}

func FuzzUserConfig(f *testing.F) {
	for _, p := range []string{"testdata/usercfg.in", "testdata/usercfg.golden"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("acl:1:/a/b:x@pve:PVEAdmin:\nuser:x@pve:1:0:%zz::::\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		once := roundTrip(t, in)
		if twice := roundTrip(t, once); !bytes.Equal(once, twice) {
			t.Fatalf("not idempotent:\n%q\n%q", once, twice)
		}
	})
}

func TestNormalizePath(t *testing.T) {
	for in, want := range map[string]string{"/": "/", "//vms//100/": "/vms/100", "vms": "/vms",
		"/vms/..": "", "/a b": "", "": "", "///": "/"} {
		if got := NormalizePath(in); got != want {
			t.Errorf("NormalizePath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBuiltinRoles(t *testing.T) {
	roles := map[string][]string{}
	for _, r := range BuiltinRoles() {
		roles[r.RoleID] = r.Privs
	}
	want := map[string]string{
		"PVEAuditor":      "Datastore.Audit,Mapping.Audit,Pool.Audit,SDN.Audit,Sys.Audit,VM.Audit,VM.GuestAgent.Audit",
		"PVESysAdmin":     "Sys.Audit,Sys.Console,Sys.Syslog",
		"PVETemplateUser": "VM.Audit,VM.Clone",
		"PVEVMUser": "VM.Audit,VM.Backup,VM.Config.CDROM,VM.Config.Cloudinit,VM.Console," +
			"VM.GuestAgent.Audit,VM.GuestAgent.FileRead,VM.GuestAgent.FileSystemMgmt,VM.GuestAgent.FileWrite,VM.PowerMgmt",
		"NoAccess": "",
	}
	for r, w := range want {
		if got := strings.Join(roles[r], ","); got != w {
			t.Errorf("%s = %s, want %s", r, got, w)
		}
	}
	if n := len(roles); n != 17 {
		t.Errorf("%d built-in roles, want 17: %v", n, roles)
	}
	if n := len(Privileges()); n != 46 {
		t.Errorf("%d privileges, want 46", n)
	}
	for _, p := range []string{"Sys.PowerMgmt", "Sys.Modify", "Realm.Allocate", "Mapping.Modify", "Permissions.Modify"} {
		for _, q := range roles["PVEAdmin"] {
			if p == q {
				t.Errorf("PVEAdmin must not hold %s", p)
			}
		}
	}
}
