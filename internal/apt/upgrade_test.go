package apt

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseSimulation(t *testing.T) {
	// Captured from apt-get 2.6.1 -s dist-upgrade against the test repository.
	out := "Reading package lists...\nCalculating upgrade...\n" +
		"Inst newdep (1.0 stable [all])\nInst hello [1.0] (2.0 stable [all])\n" +
		"Inst libc6 [2.36-9+deb12u7] (2.36-9+deb12u9 Debian:12.9/stable, Debian-Security:12/stable-security [amd64])\n" +
		"Conf newdep (1.0 stable [all])\n"
	want := []SimInst{{"newdep", "", "1.0", "all"}, {"hello", "1.0", "2.0", "all"},
		{"libc6", "2.36-9+deb12u7", "2.36-9+deb12u9", "amd64"}}
	if diff := cmp.Diff(want, ParseSimulation([]byte(out))); diff != "" {
		t.Error(diff)
	}
}

func TestRebootRequired(t *testing.T) {
	status := "Package: proxmox-kernel-6.8.12-4-pve-signed\nStatus: install ok installed\nVersion: 6.8.12-4\n\n" +
		"Package: proxmox-kernel-6.8.12-10-pve-signed\nStatus: install ok installed\nVersion: 6.8.12-10\n\n" +
		"Package: linux-image-6.1.0-99-amd64\nStatus: deinstall ok config-files\nVersion: 6.1.0-99\n\n"
	for _, tc := range []struct{ running, want string }{
		{"6.8.12-10-pve", ""},
		{"6.8.12-4-pve", "running kernel 6.8.12-4-pve is older than the newest installed kernel 6.8.12-10-pve"},
	} {
		svc, _ := newRoot(t, map[string]string{"/var/lib/dpkg/status": status, "/proc/sys/kernel/osrelease": tc.running + "\n"})
		if got := svc.RebootRequired(); got != tc.want {
			t.Errorf("%s: %q want %q", tc.running, got, tc.want)
		}
	}
	svc, _ := newRoot(t, map[string]string{"/run/reboot-required": ""})
	if svc.RebootRequired() == "" {
		t.Error("/run/reboot-required ignored")
	}
}
