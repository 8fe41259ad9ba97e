package history

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"hostadm/internal/cfs"
)

// BenchmarkStorePut compares a store write with and without recording;
// the difference is what the history adds per write.
func BenchmarkStorePut(b *testing.B) {
	for _, recorded := range []bool{false, true} {
		b.Run(fmt.Sprintf("recorded=%v", recorded), func(b *testing.B) {
			dir := b.TempDir()
			h, err := Open(Config{File: filepath.Join(dir, "history.db"), Node: "n1"})
			if err != nil {
				b.Fatal(err)
			}
			defer h.Close()
			raw, err := cfs.OpenSQLite(filepath.Join(dir, "cfs.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer raw.Close()
			var st cfs.Store = raw
			if recorded {
				st = h.Store(raw)
			}
			ctx := alice(context.Background())
			i := 0
			for b.Loop() {
				i++
				data := fmt.Appendf(nil, "dir: local\n\tpath /var/lib/vz\n\tcontent iso\n# %d\n", i)
				if _, err := st.Put(ctx, "storage.cfg", data, cfs.AnyVersion); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkList100k lists with a filter over 100,000 recorded changes.
func BenchmarkList100k(b *testing.B) {
	h, err := Open(Config{File: filepath.Join(b.TempDir(), "history.db"), Node: "n1"})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	tx, _ := h.db.Begin()
	for i := range 100_000 {
		user := fmt.Sprintf("user%d@pve", i%100)
		tx.Exec(`INSERT INTO changes (time, node, user, endpoint, upid, kind, path, action, secret, diff, after_sum, before_present, after_present, size)
			VALUES (?, 'n1', ?, 'PUT /x', '', 'store', ?, 'write', 0, '-a\n+b\n', '', 1, 1, 100)`, int64(i)*1000, user, fmt.Sprintf("nodes/n1/qemu-server/%d.conf", i%1000))
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		list, total, err := h.List(ctx, Filter{User: "user42@pve", Limit: 50})
		if err != nil || len(list) != 50 || total != 1000 {
			b.Fatalf("%d of %d: %v", len(list), total, err)
		}
	}
}
