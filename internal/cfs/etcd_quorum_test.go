package cfs

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// startTestCluster starts n members on loopback that form one cluster.
func startTestCluster(t testing.TB, n int, fsync bool) []*Member {
	t.Helper()
	dir := t.TempDir()
	peers := make([]string, n)
	var initial []string
	for i := range peers {
		peers[i] = "127.0.0.1:" + strconv.Itoa(freePort(t))
		initial = append(initial, fmt.Sprintf("n%d=http://%s", i, peers[i]))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	members := make([]*Member, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range members {
		wg.Go(func() {
			members[i], errs[i] = StartMember(ctx, MemberConfig{
				Name: fmt.Sprintf("n%d", i), Dir: filepath.Join(dir, strconv.Itoa(i)),
				PeerListen: peers[i], PeerURL: "http://" + peers[i], ClientListen: "127.0.0.1:0",
				InitialCluster: strings.Join(initial, ","), NewCluster: true, Token: "q",
				UnsafeNoFsync: !fsync, ElectionTimeout: 300 * time.Millisecond,
			})
		})
	}
	wg.Wait()
	for i, m := range members {
		if m != nil {
			t.Cleanup(func() { m.Close() })
		}
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
	}
	return members
}

// TestNoQuorum stops two of three members: the last one keeps answering
// reads from its copy and refuses writes with ErrNoQuorum.
func TestNoQuorum(t *testing.T) {
	ctx := context.Background()
	ms := startTestCluster(t, 3, false)
	s := openTestEtcd(t, ms[0].ClientURL())
	v, err := s.Put(ctx, "storage.cfg", []byte("dir: local\n"), NoVersion)
	if err != nil {
		t.Fatal(err)
	}
	ms[1].Close()
	if _, err := s.Put(ctx, "storage.cfg", []byte("two left"), v); err != nil {
		t.Fatalf("write with 2 of 3 members: %v", err)
	}
	ms[2].Close()
	deadline := time.Now().Add(10 * time.Second)
	for !errors.Is(err, ErrNoQuorum) && time.Now().Before(deadline) {
		_, err = s.Put(ctx, "other", []byte("x"), AnyVersion)
	}
	if !errors.Is(err, ErrNoQuorum) || err.Error() != "put other: cluster not ready - no quorum?" {
		t.Fatalf("write without quorum = %v, want ErrNoQuorum", err)
	}
	if ms[0].HasLeader() {
		t.Error("member says it has a leader without quorum")
	}
	e, err := s.Get(ctx, "storage.cfg")
	if err != nil || string(e.Data) != "two left" {
		t.Fatalf("read without quorum = %+v, %v", e, err)
	}
	if l, err := s.List(ctx, ""); err != nil || len(l) != 1 {
		t.Fatalf("list without quorum = %+v, %v", l, err)
	}
	if _, err := s.Lock(ctx, "x", 2*time.Second); err == nil {
		t.Fatal("lock without quorum succeeded")
	}
}

// TestWatchAcrossMembers writes through one member and watches through
// another, as one node's reloads follow another node's changes.
func TestWatchAcrossMembers(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ms := startTestCluster(t, 3, false)
	a, c := openTestEtcd(t, ms[0].ClientURL()), openTestEtcd(t, ms[2].ClientURL())
	events, err := c.Watch(ctx, "nodes/b/")
	if err != nil {
		t.Fatal(err)
	}
	v, err := a.Put(ctx, "nodes/b/pveproxy-ssl.pem", []byte("cert"), NoVersion)
	if err != nil {
		t.Fatal(err)
	}
	a.Put(ctx, "user.cfg", []byte("elsewhere"), NoVersion)
	if err := a.Delete(ctx, "nodes/b/pveproxy-ssl.pem", v); err != nil {
		t.Fatal(err)
	}
	for _, want := range []Event{{Path: "nodes/b/pveproxy-ssl.pem", Version: v}, {Path: "nodes/b/pveproxy-ssl.pem", Deleted: true}} {
		select {
		case got := <-events:
			if got != want {
				t.Errorf("event %+v, want %+v", got, want)
			}
		case <-ctx.Done():
			t.Fatalf("no event %+v", want)
		}
	}
}
