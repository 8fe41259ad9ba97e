package nodecfg

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/cfs"
	"hostadm/internal/host"
)

func newService(t *testing.T) (*Service, cfs.Store) {
	t.Helper()
	dir := t.TempDir()
	store, err := cfs.OpenSQLite(filepath.Join(dir, "cfs.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	root, _ := host.NewRoot(dir)
	return New(Config{Store: store, Root: root, Node: "pve1"}), store
}

func put(t *testing.T, store cfs.Store, path, data string) {
	t.Helper()
	if _, err := store.Put(context.Background(), path, []byte(data), cfs.AnyVersion); err != nil {
		t.Fatal(err)
	}
}

func TestUpdateAndGet(t *testing.T) {
	ctx := context.Background()
	s, store := newService(t)
	got, err := s.Get(ctx, "pve1")
	if err != nil || len(got) != 0 {
		t.Fatalf("missing file: %v %v", got, err)
	}
	err = s.Update(ctx, "pve1", Change{Set: map[string]string{
		"description": "Rack 4: top", "wakeonlan": "aa:bb:cc:dd:ee:f0", "startall-onboot-delay": "30",
		"acme": "domains=pve1.example.com;PVE.example.org",
	}})
	if err != nil {
		t.Fatal(err)
	}
	e, _ := store.Get(ctx, StorePath("pve1"))
	want := "#Rack 4%3A top\nacme: domains=pve1.example.com;PVE.example.org\nstartall-onboot-delay: 30\nwakeonlan: aa:bb:cc:dd:ee:f0\n"
	if string(e.Data) != want {
		t.Fatalf("file %q", e.Data)
	}
	got, _ = s.Get(ctx, "pve1")
	if got["description"] != "Rack 4: top\n" || got["startall-onboot-delay"] != int64(30) || got["digest"] != host.Digest(e.Data) {
		t.Fatalf("get %v", got)
	}
	// A stale digest changes nothing.
	err = s.Update(ctx, "pve1", Change{Set: map[string]string{"wakeonlan": "aa:bb:cc:dd:ee:f2"}, Digest: strings.Repeat("0", 40)})
	if !errors.Is(err, host.ErrDigestMismatch) {
		t.Fatalf("stale digest: %v", err)
	}
	err = s.Update(ctx, "pve1", Change{Delete: []string{"description", "acme"}, Digest: host.Digest(e.Data)})
	if err != nil {
		t.Fatal(err)
	}
	e, _ = store.Get(ctx, StorePath("pve1"))
	if string(e.Data) != "startall-onboot-delay: 30\nwakeonlan: aa:bb:cc:dd:ee:f0\n" {
		t.Fatalf("after delete %q", e.Data)
	}
}

func TestACMEChecks(t *testing.T) {
	ctx := context.Background()
	s, store := newService(t)
	put(t, store, "priv/acme/plugins.cfg", "dns: cloudflare\n\tapi cf\n\nstandalone: standalone\n")
	put(t, store, StorePath("pve1"), "acme: domains=a.example.com\n")
	before, _ := store.Get(ctx, StorePath("pve1"))
	for _, tc := range []struct {
		name string
		set  map[string]string
		err  string
	}{
		{"dup within acme", map[string]string{"acme": "domains=x.example.com;X.example.com"},
			"duplicate domain 'x.example.com' in ACME config properties"},
		{"dup with acme", map[string]string{"acmedomain2": "A.example.com"},
			"duplicate domain 'a.example.com' in ACME config properties 'acmedomain2' and 'acme'"},
		{"dup between domains", map[string]string{"acmedomain0": "b.example.com", "acmedomain1": "b.example.com,plugin=cloudflare"},
			"duplicate domain 'b.example.com' in ACME config properties 'acmedomain1' and 'acmedomain0'"},
		{"unknown plugin", map[string]string{"acmedomain0": "c.example.com,plugin=nope"},
			"plugin 'nope' for domain 'c.example.com' not found!"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.Update(ctx, "pve1", Change{Set: tc.set})
			if err == nil || err.Error() != tc.err {
				t.Fatalf("err %v, want %q", err, tc.err)
			}
			after, _ := store.Get(ctx, StorePath("pve1"))
			if !bytes.Equal(after.Data, before.Data) || after.Version != before.Version {
				t.Fatal("file changed")
			}
		})
	}
	if err := s.Update(ctx, "pve1", Change{Set: map[string]string{"acmedomain0": "c.example.com,plugin=cloudflare"}}); err != nil {
		t.Fatal(err)
	}
}

func TestMagicPacket(t *testing.T) {
	p := MagicPacket([]byte{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xf0})
	if len(p) != 102 || !bytes.Equal(p[:6], bytes.Repeat([]byte{0xff}, 6)) {
		t.Fatalf("packet %x", p)
	}
	for i := 0; i < 16; i++ {
		if !bytes.Equal(p[6+6*i:12+6*i], []byte{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xf0}) {
			t.Fatalf("repetition %d: %x", i, p)
		}
	}
}

func TestWakeErrors(t *testing.T) {
	ctx := context.Background()
	s, store := newService(t)
	put(t, store, StorePath("pve2"), "description: no mac\n")
	for _, tc := range []struct{ target, err string }{
		{"pve1", "'pve1' is local node, cannot wake my self!"},
		{"localhost", "'localhost' is local node, cannot wake my self!"},
		{"pve9", "no such cluster node 'pve9'"},
		{"pve2", "No wake on LAN MAC address defined for 'pve2'!"},
	} {
		if _, err := s.Wake(ctx, tc.target); err == nil || err.Error() != tc.err {
			t.Errorf("%s: %v, want %q", tc.target, err, tc.err)
		}
	}
}

// TestWakeOnLANNetns sends real packets between two network namespaces and
// checks payload, port and the interface they left by.
func TestWakeOnLANNetns(t *testing.T) {
	n := newWOLNet(t)
	next := n.listen(t)
	ctx := context.Background()
	s, store := newService(t)
	s.cfg.Send = func(ctx context.Context, p Packet) error {
		return inNS(n.tx, func() error { return SendMagic(ctx, p) })
	}
	put(t, store, StorePath("pve2"), "wakeonlan: mac=AA:bb:cc:dd:ee:f0\n")
	want := MagicPacket([]byte{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xf0})
	for _, tc := range []struct{ local, arrive string }{
		{"wakeonlan: 02:00:00:00:00:01,bind-interface=a0", "a1"},
		{"wakeonlan: 02:00:00:00:00:01,bind-interface=b0", "b1"},
		{"wakeonlan: 02:00:00:00:00:01,bind-interface=b0,broadcast-address=10.77.2.255", "b1"},
		{"wakeonlan: 02:00:00:00:00:01,broadcast-address=10.77.1.255", "a1"},
	} {
		t.Run(tc.local, func(t *testing.T) {
			put(t, store, StorePath("pve1"), tc.local+"\n")
			mac, err := s.Wake(ctx, "pve2")
			if err != nil {
				t.Fatal(err)
			}
			if mac != "AA:bb:cc:dd:ee:f0" {
				t.Errorf("mac %q", mac)
			}
			got, err := next()
			if err != nil {
				t.Fatalf("no packet: %v", err)
			}
			if !bytes.Equal(got.payload, want) || got.iface != tc.arrive {
				t.Fatalf("got %x on %q, want %x on %q", got.payload, got.iface, want, tc.arrive)
			}
		})
	}
	t.Run("bad interface", func(t *testing.T) {
		err := inNS(n.tx, func() error {
			return SendMagic(ctx, Packet{Payload: want, Broadcast: netip.MustParseAddr("255.255.255.255"), Interface: "nosuch0"})
		})
		if err == nil || !strings.HasPrefix(err.Error(), "Unable to bind socket to interface 'nosuch0'") {
			t.Fatalf("err %v", err)
		}
	})
}
