package apt

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkRepositories lists repositories over 200 source files (half
// one-line, half deb822), with infos, standard repos and warnings.
func BenchmarkRepositories(b *testing.B) {
	files := map[string]string{"/etc/os-release": osRel("bookworm"), "/etc/apt/sources.list": bookwormList}
	for i := 0; i < 200; i++ {
		if i%2 == 0 {
			files[fmt.Sprintf("/etc/apt/sources.list.d/repo%03d.list", i)] = fmt.Sprintf(
				"# mirror %d\ndeb http://mirror%d.example.com/debian bookworm main contrib\n# deb-src http://mirror%d.example.com/debian bookworm main\n", i, i, i)
		} else {
			files[fmt.Sprintf("/etc/apt/sources.list.d/repo%03d.sources", i)] = fmt.Sprintf(
				"Types: deb\nURIs: http://mirror%d.example.com/debian\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n", i)
		}
	}
	svc, _ := newRoot(b, files)
	b.ResetTimer()
	for b.Loop() {
		l, err := svc.Repositories()
		if err != nil || len(l.Files) != 201 {
			b.Fatal(err, len(l.Files))
		}
	}
}

// BenchmarkUpgradable computes the upgradable list from a simulated
// dist-upgrade of 500 packages against a 50,000-package index.
func BenchmarkUpgradable(b *testing.B) {
	svc, dir := newRoot(b, map[string]string{
		"/var/lib/apt/lists/mirror.example.com_debian_dists_bookworm_InRelease": "Origin: Debian\nSuite: stable\n",
	})
	var idx, sim strings.Builder
	for i := 0; i < 50000; i++ {
		fmt.Fprintf(&idx, "Package: pkg%05d\nVersion: 2.%d\nArchitecture: amd64\nMaintainer: M <m@example.com>\n"+
			"Installed-Size: 100\nDepends: libc6 (>= 2.36)\nSection: admin\nPriority: optional\nFilename: pool/p/pkg%05d.deb\n"+
			"Size: 1000\nSHA256: %064d\nDescription: package %d\n Long text line one.\n Long text line two.\n\n", i, i, i, i, i)
		if i%100 == 0 {
			fmt.Fprintf(&sim, "Inst pkg%05d [1.%d] (2.%d Debian:12/stable [amd64])\n", i, i, i)
		}
	}
	p := filepath.Join(dir, "var/lib/apt/lists/mirror.example.com_debian_dists_bookworm_main_binary-amd64_Packages")
	if err := os.WriteFile(p, []byte(idx.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	out := []byte(sim.String())
	b.ResetTimer()
	for b.Loop() {
		list, err := svc.updatesFrom(ParseSimulation(out))
		if err != nil || len(list) != 500 || list[0].Origin != "Debian" {
			b.Fatal(err, len(list))
		}
	}
}
