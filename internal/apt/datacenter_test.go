package apt_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/apt"
	"hostadm/internal/cfs"
	"hostadm/internal/host"
)

// TestProxyFromDatacenterCfg: the update writes 76pveproxy from
// datacenter.cfg's http_proxy in the cluster store, as Proxmox does, and
// refuses a value that would break the apt.conf line. apt-get's answers
// are replayed; its argv is asserted.
func TestProxyFromDatacenterCfg(t *testing.T) {
	for name, tc := range map[string]struct{ cfg, want, log string }{
		"none":    {"", "// no proxy configured\n", ""},
		"other":   {"keyboard: de\nemail_from: pve@example.com\n", "// no proxy configured\n", ""},
		"proxy":   {"# proxy\nhttp_proxy: http://proxy.example.com:3128\n", "Acquire::http::Proxy \"http://proxy.example.com:3128\";\n", ""},
		"invalid": {"http_proxy: http://x\";evil\n", "// no proxy configured\n", "ignoring invalid http_proxy"},
		"https":   {"http_proxy: https://proxy.example.com\n", "// no proxy configured\n", "ignoring invalid http_proxy"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			store, err := cfs.OpenSQLite(filepath.Join(dir, "cfs.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			ctx := context.Background()
			if tc.cfg != "" {
				if _, err := store.Put(ctx, "datacenter.cfg", []byte(tc.cfg), cfs.NoVersion); err != nil {
					t.Fatal(err)
				}
			}
			rec := host.NewRecorder()
			rec.On([]string{"apt-get", "-q", "update"}, host.Reply{})
			rec.On([]string{"apt-get", "-s", "-q", "-o", "Debug::NoLocking=1", "dist-upgrade"}, host.Reply{})
			sandbox, _ := host.NewRoot(dir)
			svc := apt.New(apt.Config{Root: sandbox, Runner: rec, Store: store})
			var log bytes.Buffer
			if err := svc.UpdateDatabase(ctx, &log, apt.UpdateOptions{Quiet: true}); err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(filepath.Join(dir, "etc/apt/apt.conf.d/76pveproxy"))
			if string(got) != tc.want {
				t.Errorf("76pveproxy %q, want %q", got, tc.want)
			}
			if !strings.Contains(log.String(), tc.log) || (tc.log == "" && log.Len() > 0) {
				t.Errorf("log %q", log.String())
			}
			calls := rec.Calls()
			if len(calls) != 2 || calls[0] != "apt-get -q update" {
				t.Errorf("calls %q", calls)
			}
		})
	}
}

func TestDatacenterValue(t *testing.T) {
	raw := []byte("# comment: x\nkeyboard: de\n  http_proxy:  http://p:3128  \nemail_from: a@b\n")
	for k, want := range map[string]string{"http_proxy": "http://p:3128", "email_from": "a@b", "comment": "", "missing": ""} {
		if got := apt.DatacenterValue(raw, k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
}
