package storage

import (
	"testing"

	"hostadm/internal/sectioncfg"
)

// TestContentDirsRefuseDotDot: content-dirs overrides with ".." were
// accepted and listed (or later wrote) files outside the storage;
// Proxmox's pve-dir-override refuses them.
func TestContentDirsRefuseDotDot(t *testing.T) {
	s, _ := newService(t, "n1")
	for _, v := range []string{"iso=../../etc", "iso=a/../../b", "backup=..", "bogus=dir"} {
		err := s.Create(t.Context(), "dir", "d1", map[string]any{"path": "/srv/d1", "content-dirs": v})
		if err == nil {
			t.Errorf("content-dirs %q accepted", v)
		}
	}
	if err := s.Create(t.Context(), "dir", "d2", map[string]any{"path": "/srv/d2", "content-dirs": "iso=my.isos/x,backup=dumps"}); err != nil {
		t.Errorf("a plain override refused: %v", err)
	}
	// A hand-edited storage.cfg cannot steer listings out either.
	sec := &sectioncfg.Section{ID: "d3", Type: "dir", Props: map[string]any{"path": "/srv/d3", "content-dirs": "iso=../../etc,backup=dumps"}}
	if got := subdir(sec, "iso"); got != "/srv/d3/template/iso" {
		t.Errorf("iso dir %q, want the default", got)
	}
	if got := subdir(sec, "backup"); got != "/srv/d3/dumps" {
		t.Errorf("backup dir %q", got)
	}
}
