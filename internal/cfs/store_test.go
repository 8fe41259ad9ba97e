package cfs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestPutVersions(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		ctx := context.Background()
		s := bk.open(t)
		v1, err := s.Put(ctx, "status.cfg", []byte("a"), NoVersion)
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name    string
			expect  int64
			wantErr error
		}{
			{"create again", NoVersion, ErrConflict},
			{"stale version", v1 + 100, ErrConflict},
			{"exact version", v1, nil},
			{"same version twice", v1, ErrConflict},
			{"any version", AnyVersion, nil},
			{"nonsense expectation", -7, nil},
		}
		last := v1
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				v, err := s.Put(ctx, "status.cfg", []byte(tt.name), tt.expect)
				if tt.expect < AnyVersion {
					if err == nil || errors.Is(err, ErrConflict) {
						t.Fatalf("Put(expect=%d) = %v, want a plain error", tt.expect, err)
					}
					return
				}
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Put(expect=%d) = %v, want %v", tt.expect, err, tt.wantErr)
				}
				if err != nil {
					return
				}
				if v <= last {
					t.Errorf("version %d did not grow past %d", v, last)
				}
				last = v
				e, err := s.Get(ctx, "status.cfg")
				if err != nil || string(e.Data) != tt.name || e.Version != v {
					t.Errorf("Get = %+v, %v; want data %q version %d", e, err, tt.name, v)
				}
			})
		}
	})
}

func TestPutMissingWithVersion(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		s := bk.open(t)
		if _, err := s.Put(context.Background(), "a", nil, 3); !errors.Is(err, ErrConflict) {
			t.Fatalf("Put(missing, 3) = %v, want ErrConflict", err)
		}
	})
}

func TestPutTooLarge(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		ctx := context.Background()
		s := bk.open(t)
		if _, err := s.Put(ctx, "big", make([]byte, MaxFileSize+1), AnyVersion); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("Put(1 MiB + 1) = %v, want ErrTooLarge", err)
		}
		if _, err := s.Put(ctx, "big", make([]byte, MaxFileSize), AnyVersion); err != nil {
			t.Fatalf("Put(1 MiB) = %v", err)
		}
	})
}

func TestEmptyFile(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		ctx := context.Background()
		s := bk.open(t)
		if _, err := s.Put(ctx, "empty", nil, NoVersion); err != nil {
			t.Fatal(err)
		}
		e, err := s.Get(ctx, "empty")
		if err != nil || e.Data == nil || len(e.Data) != 0 {
			t.Fatalf("Get(empty) = %+v, %v; want empty non-nil data", e, err)
		}
	})
}

// Every backend keeps when a file was written, as another handle sees it:
// the ticket key's rotation and the /etc/pve mount's times depend on it
// (an etcd store that forgot it rotated the key at every check).
func TestModTime(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		ctx := context.Background()
		a, b := bk.pair(t)
		before := time.Now().Add(-time.Second)
		if _, err := a.Put(ctx, "authkey.pub", []byte("\x00hcfs1 looks like a header\n"), NoVersion); err != nil {
			t.Fatal(err)
		}
		e, err := b.Get(ctx, "authkey.pub")
		if err != nil {
			t.Fatal(err)
		}
		if e.ModTime.Before(before) || e.ModTime.After(time.Now().Add(time.Second)) {
			t.Fatalf("ModTime %v, written at %v", e.ModTime, before)
		}
		if string(e.Data) != "\x00hcfs1 looks like a header\n" {
			t.Fatalf("data %q", e.Data)
		}
	})
}

func TestDelete(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		ctx := context.Background()
		s := bk.open(t)
		v, err := s.Put(ctx, "nodes/a/config", []byte("x"), NoVersion)
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name    string
			path    string
			expect  int64
			wantErr error
		}{
			{"missing", "nodes/b/config", AnyVersion, ErrNotFound},
			{"must not exist", "nodes/a/config", NoVersion, ErrConflict},
			{"stale", "nodes/a/config", v + 1, ErrConflict},
			{"exact", "nodes/a/config", v, nil},
			{"again", "nodes/a/config", AnyVersion, ErrNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if err := s.Delete(ctx, tt.path, tt.expect); !errors.Is(err, tt.wantErr) {
					t.Fatalf("Delete(%s, %d) = %v, want %v", tt.path, tt.expect, err, tt.wantErr)
				}
			})
		}
		if _, err := s.Get(ctx, "nodes/a/config"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Get after Delete = %v, want ErrNotFound", err)
		}
		v2, err := s.Put(ctx, "nodes/a/config", []byte("y"), NoVersion)
		if err != nil || v2 <= v {
			t.Fatalf("re-create = %d, %v; want a version above %d", v2, err, v)
		}
	})
}

func TestList(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		ctx := context.Background()
		s := bk.open(t)
		for _, p := range []string{"nodes/b/x", "nodes/a/y", "nodesX", "nodes", "status.cfg", "priv/k", "nodes/ä"} {
			if _, err := s.Put(ctx, p, []byte(p), NoVersion); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			prefix string
			want   []string
		}{
			{"nodes/", []string{"nodes/a/y", "nodes/b/x", "nodes/ä"}},
			{"nodes", []string{"nodes", "nodes/a/y", "nodes/b/x", "nodes/ä", "nodesX"}},
			{"nodes/a/", []string{"nodes/a/y"}},
			{"no/", nil},
			{"", []string{"nodes", "nodes/a/y", "nodes/b/x", "nodes/ä", "nodesX", "priv/k", "status.cfg"}},
		}
		for _, tt := range tests {
			t.Run(tt.prefix, func(t *testing.T) {
				es, err := s.List(ctx, tt.prefix)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, e := range es {
					got = append(got, e.Path)
					if e.Data != nil || e.Version <= 0 {
						t.Errorf("entry %+v: want no data and a version", e)
					}
				}
				if fmt.Sprint(got) != fmt.Sprint(tt.want) {
					t.Errorf("List(%q) = %q, want %q", tt.prefix, got, tt.want)
				}
			})
		}
	})
}

func TestBadPaths(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		ctx := context.Background()
		s := bk.open(t)
		for _, p := range []string{"", "/abs", "a//b", "a/./b", "../x", "a/..", "nul\x00", "bad\xffutf8"} {
			t.Run(fmt.Sprintf("%q", p), func(t *testing.T) {
				if _, err := s.Put(ctx, p, nil, AnyVersion); !errors.Is(err, ErrBadPath) {
					t.Errorf("Put = %v, want ErrBadPath", err)
				}
				if _, err := s.Get(ctx, p); !errors.Is(err, ErrBadPath) {
					t.Errorf("Get = %v, want ErrBadPath", err)
				}
				if err := s.Delete(ctx, p, AnyVersion); !errors.Is(err, ErrBadPath) {
					t.Errorf("Delete = %v, want ErrBadPath", err)
				}
			})
		}
		if _, err := s.List(ctx, "/etc"); !errors.Is(err, ErrBadPath) {
			t.Errorf("List(/etc) = %v, want ErrBadPath", err)
		}
		if _, err := s.Watch(ctx, "/etc"); !errors.Is(err, ErrBadPath) {
			t.Errorf("Watch(/etc) = %v, want ErrBadPath", err)
		}
		for _, name := range []string{"", "../x", "a/b", "a b"} {
			if _, err := s.Lock(ctx, name, time.Millisecond); err == nil {
				t.Errorf("Lock(%q) succeeded, want an error", name)
			}
		}
	})
}

func TestRevision(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		ctx := context.Background()
		s := bk.open(t)
		r0, err := s.Revision(ctx)
		// SQLite starts at 0, etcd at 1: a new store has seen no change.
		if err != nil || r0 < 0 || r0 > 1 {
			t.Fatalf("Revision of a new store = %d, %v; want 0 or 1", r0, err)
		}
		v, _ := s.Put(ctx, "a", nil, NoVersion)
		if v != r0+1 {
			t.Errorf("first Put version = %d, want %d", v, r0+1)
		}
		if r, _ := s.Revision(ctx); r != v {
			t.Errorf("Revision = %d, want %d", r, v)
		}
		s.Put(ctx, "a", nil, NoVersion) // a conflict changes nothing
		if r, _ := s.Revision(ctx); r != v {
			t.Errorf("Revision after a conflict = %d, want %d", r, v)
		}
		s.Delete(ctx, "a", AnyVersion)
		if r, _ := s.Revision(ctx); r != v+1 {
			t.Errorf("Revision after Delete = %d, want %d", r, v+1)
		}
	})
}

func TestConcurrentPut(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		ctx := context.Background()
		a, b := bk.pair(t)
		v, err := a.Put(ctx, "x", []byte("0"), NoVersion)
		if err != nil {
			t.Fatal(err)
		}
		const n = 16
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			s := a
			if i%2 == 1 {
				s = b
			}
			wg.Go(func() {
				_, errs[i] = s.Put(ctx, "x", fmt.Appendf(nil, "%d", i), v)
			})
		}
		wg.Wait()
		wins := 0
		for i, err := range errs {
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, ErrConflict):
				t.Errorf("writer %d: %v", i, err)
			}
		}
		if wins != 1 {
			t.Fatalf("%d writers won, want exactly 1", wins)
		}
	})
}

func TestLock(t *testing.T) {
	eachBackend(t, func(t *testing.T, bk backend) {
		ctx := context.Background()
		a, b := bk.pair(t)
		unlock, err := a.Lock(ctx, "file-storage.cfg", time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Lock(ctx, "file-storage.cfg", 50*time.Millisecond); err == nil ||
			!strings.Contains(err.Error(), "timeout") {
			t.Fatalf("second Lock = %v, want a timeout", err)
		}
		unlock()
		unlock2, err := b.Lock(ctx, "file-storage.cfg", time.Second)
		if err != nil {
			t.Fatalf("Lock after unlock: %v", err)
		}
		unlock2()
	})
}

func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "config.db")
	s, err := OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := s.Put(ctx, "a", []byte("kept"), NoVersion)
	s.Close()
	s = openTest(t, path)
	e, err := s.Get(ctx, "a")
	if err != nil || !bytes.Equal(e.Data, []byte("kept")) || e.Version != v {
		t.Fatalf("after reopen Get = %+v, %v", e, err)
	}
	if r, _ := s.Revision(ctx); r != v {
		t.Fatalf("after reopen Revision = %d, want %d", r, v)
	}
}
