package access

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/msteinert/pam/v2"
)

// TestLoginPAM runs real Linux-PAM with service files of the test's own
// (pam_start_confdir): pam_exec runs a script that accepts one user and
// password, and a second service denies everything. No system account is
// touched.
func TestLoginPAM(t *testing.T) {
	if !pam.CheckPamHasStartConfdir() {
		t.Skip("libpam lacks pam_start_confdir (needs Linux-PAM >= 1.4)")
	}
	modDir := "/lib/x86_64-linux-gnu/security"
	if _, err := os.Stat(filepath.Join(modDir, "pam_exec.so")); err != nil {
		t.Skip("pam_exec.so not installed (libpam-modules)")
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "check.sh")
	// pam_exec with expose_authtok writes the password, NUL-terminated, to stdin.
	if err := os.WriteFile(script, []byte("#!/bin/bash\nIFS= read -r -d '' pw\n"+
		"[ \"$PAM_USER\" = hostadmtest ] && [ \"$pw\" = 'pam-secret' ] && [ \"$PAM_RHOST\" = 198.51.100.7 ]\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("proxmox-ve-auth", "auth required pam_exec.so expose_authtok quiet "+script+"\naccount required pam_permit.so\n")
	write("deny-all", "auth required pam_deny.so\naccount required pam_deny.so\n")

	const users = "user:hostadmtest@pam:1:0::::::\nuser:offtest@pam:0:0::::::\n"
	s, _, _ := newTestService(t, map[string]string{PathUserCfg: users})
	s.cfg.PAMConfDir = dir
	ctx := context.Background()
	if u, err := s.Login(ctx, "hostadmtest", "pam", "pam-secret", "198.51.100.7"); err != nil || u != "hostadmtest@pam" {
		t.Fatalf("Login = %q, %v", u, err)
	}
	for _, c := range [][2]string{{"hostadmtest", "wrong"}, {"offtest", "pam-secret"}, {"ghost", "pam-secret"}} {
		if _, err := s.Login(ctx, c[0], "pam", c[1], "198.51.100.7"); err != ErrAuthFailed {
			t.Errorf("Login(%v) = %v", c, err)
		}
	}
	s.cfg.PAMService = "deny-all"
	if _, err := s.Login(ctx, "hostadmtest@pam", "", "pam-secret", "198.51.100.7"); err != ErrAuthFailed {
		t.Errorf("deny service: %v", err)
	}
}
