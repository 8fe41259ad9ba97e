package daemontest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"hostadm/internal/daemon"
)

// InitCerts opens a node over root once so that the data dir, the auth
// keys and the certificates (RSA, as in production) exist before a
// `hostadm serve` process starts there, and returns the CA it will present.
// With use, the open node is handed on first (to add users or tokens).
func InitCerts(t testing.TB, root, node string, use ...func(*daemon.Node)) []byte {
	t.Helper()
	ctx := context.Background()
	n, err := daemon.Open(ctx, daemon.Config{Root: root, Node: node})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close(ctx)
	c := n.Services.Certs
	if err := c.EnsureCA(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.EnsureNodeCert(ctx); err != nil {
		t.Fatal(err)
	}
	ca, err := c.CACert(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range use {
		f(n)
	}
	return ca
}

// ProcStatusKB reads a kB figure such as "VmRSS" or "VmHWM" of a process
// from /proc/PID/status.
func ProcStatusKB(pid int, key string) (int, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), key+":"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", key, pid)
}
