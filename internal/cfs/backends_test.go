package cfs

import (
	"context"
	"net"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// backend opens stores of one kind for the conformance tests: open gives a
// fresh, empty store; pair gives two handles on one fresh store (the daemon
// and the CLI on one SQLite file, two clients of one etcd cluster).
type backend struct {
	name string
	pair func(t testing.TB) (Store, Store)
}

func (b backend) open(t testing.TB) Store {
	s, _ := b.pair(t)
	return s
}

var backends = []backend{
	{"sqlite", func(t testing.TB) (Store, Store) {
		path := filepath.Join(t.TempDir(), "config.db")
		return openTest(t, path), openTest(t, path)
	}},
	{"etcd", func(t testing.TB) (Store, Store) {
		m := startTestMember(t, t.TempDir())
		return openTestEtcd(t, m.ClientURL()), openTestEtcd(t, m.ClientURL())
	}},
}

// eachBackend runs test once per backend, as a subtest named after it.
func eachBackend(t *testing.T, test func(t *testing.T, b backend)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { test(t, b) })
	}
}

func openTest(t testing.TB, path string, opts ...Option) *SQLite {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "config.db")
	}
	opts = append([]Option{WithPollInterval(10 * time.Millisecond)}, opts...)
	s, err := OpenSQLite(path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// freePort returns a loopback port nobody listens on right now.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startTestMember starts a one-member etcd cluster on loopback without
// fsync, stopped at the end of the test.
func startTestMember(t testing.TB, dir string) *Member {
	t.Helper()
	peer := "127.0.0.1:" + strconv.Itoa(freePort(t))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	m, err := StartMember(ctx, MemberConfig{
		Name: "n1", Dir: filepath.Join(dir, "etcd"),
		PeerListen: peer, PeerURL: "http://" + peer, ClientListen: "127.0.0.1:0",
		InitialCluster: "n1=http://" + peer, NewCluster: true, Token: "test",
		UnsafeNoFsync: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func openTestEtcd(t testing.TB, url string) *Etcd {
	t.Helper()
	s, err := OpenEtcd(EtcdConfig{Endpoints: []string{url}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
