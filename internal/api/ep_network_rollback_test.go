package api_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/host"
)

// netRunner runs diff for real and records ifreload -a (the test must not
// reload the host's network); anything else fails.
type netRunner struct {
	mu    sync.Mutex
	calls []string
}

func (r *netRunner) Run(ctx context.Context, c host.Cmd) (host.Result, error) {
	r.mu.Lock()
	r.calls = append(r.calls, strings.Join(c.Argv, " "))
	r.mu.Unlock()
	switch {
	case c.Argv[0] == "diff":
		return host.ExecRunner{}.Run(ctx, c)
	case slices.Equal(c.Argv, []string{"ifreload", "-a"}):
		return host.Result{}, nil
	}
	return host.Result{ExitCode: 127}, &host.ExitError{Argv: c.Argv, ExitCode: 127}
}

func (r *netRunner) called(s string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Contains(r.calls, s)
}

// TestNetworkRollbackResumesOnStart starts the daemon over a node whose
// network change was applied with a rollback timeout that ran out while
// no daemon ran: the daemon rolls back at once, as a task.
func TestNetworkRollbackResumesOnStart(t *testing.T) {
	const before = "auto lo\niface lo inet loopback\n"
	runner := &netRunner{}
	env := daemontest.Start(t, daemontest.Options{Runner: runner, Prepare: func(root string) {
		os.MkdirAll(filepath.Join(root, "etc/network"), 0o755)
		os.MkdirAll(filepath.Join(root, "usr/share/ifupdown2"), 0o755)
		os.WriteFile(filepath.Join(root, "etc/network/interfaces"), []byte(netFile), 0o644)
		os.WriteFile(filepath.Join(root, "etc/network/interfaces.hostadm-rollback"), []byte(before), 0o600)
		os.WriteFile(filepath.Join(root, "etc/network/.hostadm-rollback.json"),
			[]byte(`{"id":"0123456789abcdef","deadline":"2020-01-01T00:00:00Z","timeout":60}`), 0o600)
	}})
	live := filepath.Join(env.Root, "etc/network/interfaces")
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if b, _ := os.ReadFile(live); string(b) == before && runner.called("ifreload -a") {
			if _, err := os.Stat(filepath.Join(env.Root, "etc/network/.hostadm-rollback.json")); os.IsNotExist(err) {
				break
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if b, _ := os.ReadFile(live); string(b) != before || !runner.called("ifreload -a") {
		t.Fatalf("not rolled back: live file %q, calls %v", b, runner.calls)
	}
	res := env.MustOK(env.RootAuth(), "GET", "/nodes/"+daemontest.Node+"/tasks", nil)
	found := false
	for _, e := range res.Data.([]any) {
		if m := e.(map[string]any); m["type"] == "srvreload" {
			found = true
		}
	}
	if !found {
		t.Errorf("no srvreload task: %v", res.Data)
	}
}
