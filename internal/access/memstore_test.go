package access

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"hostadm/internal/cfs"
	"hostadm/internal/host/hosttest"
)

// memStore is an in-memory cfs.Store for tests.
type memStore struct {
	mu    sync.Mutex
	files map[string]cfs.Entry
	rev   int64
	locks map[string]*sync.Mutex
}

func newMemStore() *memStore {
	return &memStore{files: map[string]cfs.Entry{}, locks: map[string]*sync.Mutex{}}
}

func (m *memStore) Get(_ context.Context, p string) (cfs.Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.files[p]
	if !ok {
		return cfs.Entry{}, cfs.ErrNotFound
	}
	e.Data = append([]byte(nil), e.Data...)
	return e, nil
}

func (m *memStore) Put(_ context.Context, p string, data []byte, expect int64) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur := m.files[p].Version
	if expect != cfs.AnyVersion && expect != cur {
		return 0, cfs.ErrConflict
	}
	m.rev++
	m.files[p] = cfs.Entry{Path: p, Data: append([]byte(nil), data...), Version: cur + 1, ModTime: time.Now()}
	return cur + 1, nil
}

func (m *memStore) Delete(_ context.Context, p string, expect int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.files[p]
	if !ok {
		return cfs.ErrNotFound
	}
	if expect != cfs.AnyVersion && expect != e.Version {
		return cfs.ErrConflict
	}
	m.rev++
	delete(m.files, p)
	return nil
}

func (m *memStore) List(_ context.Context, prefix string) ([]cfs.Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []cfs.Entry
	for p, e := range m.files {
		if strings.HasPrefix(p, prefix) {
			e.Data = nil
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func (m *memStore) Watch(context.Context, string) (<-chan cfs.Event, error) {
	return make(chan cfs.Event), nil
}

func (m *memStore) Revision(context.Context) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.rev, nil
}

func (m *memStore) Lock(_ context.Context, name string, _ time.Duration) (func(), error) {
	m.mu.Lock()
	l := m.locks[name]
	if l == nil {
		l = &sync.Mutex{}
		m.locks[name] = l
	}
	m.mu.Unlock()
	l.Lock()
	return l.Unlock, nil
}

func (m *memStore) Close() error { return nil }

// keyOnce generates the RSA key once per test binary: it is slow.
var keyOnce = sync.OnceValue(func() [3][]byte {
	priv, err := newRSAPEM()
	if err != nil {
		panic(err)
	}
	k, _ := parsePrivateKey(priv)
	der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	pub := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	return [3][]byte{priv, pub, []byte("www-secret-for-tests\n")}
})

// newTestService returns a Service over a fresh memStore holding keys,
// the default user.cfg and the given extra files.
func newTestService(t testing.TB, files map[string]string) (*Service, *memStore, *hosttest.Clock) {
	t.Helper()
	st := newMemStore()
	keys := keyOnce()
	ctx := context.Background()
	for p, d := range map[string][]byte{PathAuthKey: keys[0], PathAuthPub: keys[1], PathWWWKey: keys[2]} {
		if _, err := st.Put(ctx, p, d, cfs.NoVersion); err != nil {
			t.Fatal(err)
		}
	}
	for p, d := range files {
		if _, err := st.Put(ctx, p, []byte(d), cfs.AnyVersion); err != nil {
			t.Fatal(err)
		}
	}
	clk := hosttest.NewClock(time.Unix(1_700_000_000, 0))
	s, err := New(Config{Store: st, Clock: clk.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		KDF: KDFParams{MemoryKiB: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureKeys(ctx); err != nil {
		t.Fatal(err)
	}
	return s, st, clk
}
