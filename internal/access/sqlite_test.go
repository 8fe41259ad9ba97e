package access

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"hostadm/internal/cfs"
)

// TestSQLiteTwoProcesses has two stores on one SQLite file, as the daemon
// and the CLI have: a token minted through one is accepted by the other
// at once, although its snapshot is trusted for an hour.
func TestSQLiteTwoProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cfs.db")
	open := func() *cfs.SQLite {
		st, err := cfs.OpenSQLite(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	ctx := context.Background()
	daemon, err := New(Config{Store: open(), Revalidate: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := daemon.EnsureKeys(ctx); err != nil {
		t.Fatal(err)
	}
	cli, _ := New(Config{Store: open(), KDF: KDFParams{MemoryKiB: 64, Time: 1, Threads: 1}})
	if err := cli.EnsureKeys(ctx); err != nil { // races nothing, changes nothing
		t.Fatal(err)
	}
	if _, err := daemon.VerifyTicket(daemon.CreateTicket(RootUser)); err != nil {
		t.Fatal(err)
	}
	full, secret, err := cli.CreateToken(ctx, Identity{User: RootUser}, RootUser, "cli", 0, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	if id, err := daemon.VerifyAPIToken(full + "=" + secret); err != nil || id.AuthID() != "root@pam!cli" {
		t.Fatalf("daemon refused CLI token: %v", err)
	}
	if _, err := cli.VerifyTicket(daemon.CreateTicket(RootUser)); err != nil {
		t.Fatalf("CLI refused daemon ticket: %v", err)
	}
}

func BenchmarkSQLiteRevision(b *testing.B) {
	st, err := cfs.OpenSQLite(filepath.Join(b.TempDir(), "cfs.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	for b.Loop() {
		st.Revision(ctx)
	}
}
