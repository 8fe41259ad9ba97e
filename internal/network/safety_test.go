package network

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"hostadm/internal/host"
	"hostadm/internal/network/ifaces"
)

// fileService is a Service over a temporary root holding live as the live
// interfaces file; it never touches a kernel.
func fileService(t *testing.T, live string) (*Service, string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "etc/network"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, LivePath), []byte(live), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := host.NewRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	no := false
	return New(Config{Root: r, IfUpDown2: &no}), dir
}

// TestEditRefusesLoop builds a bridge loop through the API's edits: the
// last one is refused and nothing is staged from it.
func TestEditRefusesLoop(t *testing.T) {
	s, dir := fileService(t, "auto lo\niface lo inet loopback\n")
	ctx := context.Background()
	for _, err := range []error{
		s.Create(ctx, "vmbr1", Params{"type": "bridge", "autostart": "1"}),
		s.Create(ctx, "vmbr0", Params{"type": "bridge", "autostart": "1", "bridge_ports": "vmbr1"}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	before, _ := os.ReadFile(filepath.Join(dir, StagedPath))
	err := s.Update(ctx, "vmbr1", Params{"type": "bridge", "bridge_ports": "vmbr0"}, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "iface vmbr0 - interface loop: vmbr0 -> vmbr1 -> vmbr0") {
		t.Errorf("got %v", err)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, StagedPath)); !bytes.Equal(before, after) {
		t.Errorf("staged file changed:\n%s", after)
	}
}

// TestPlanRefusesLoops plans hand-written files with loops: the planner
// (which used to recurse until the stack overflowed) refuses them.
func TestPlanRefusesLoops(t *testing.T) {
	for name, src := range map[string]string{
		"bridges":  "auto vmbr0\niface vmbr0 inet manual\n\tbridge-ports vmbr1\n\nauto vmbr1\niface vmbr1 inet manual\n\tbridge-ports vmbr0\n",
		"bonds":    "auto bond0\niface bond0 inet manual\n\tbond-slaves bond1\n\nauto bond1\niface bond1 inet manual\n\tbond-slaves bond0\n",
		"vlan":     "auto v1\niface v1 inet manual\n\tvlan-raw-device v2\n\tvlan-id 5\n\nauto v2\niface v2 inet manual\n\tvlan-raw-device v1\n\tvlan-id 6\n",
		"self":     "auto vmbr0\niface vmbr0 inet manual\n\tbridge-ports vmbr0\n",
		"one auto": "iface vmbr0 inet manual\n\tbridge-ports vmbr1\n\nauto vmbr1\niface vmbr1 inet manual\n\tbridge-ports vmbr0\n",
	} {
		t.Run(name, func(t *testing.T) {
			cfg := parse(t, src)
			_, err := Plan(cfg, cfg, &KernelState{Links: map[string]*LinkState{}})
			if err == nil || !strings.Contains(err.Error(), "interface loop") {
				t.Errorf("got %v", err)
			}
			Changed(cfg, cfg) // must end as well
		})
	}
}

// FuzzPlan plans whatever parses, against an empty kernel: it must end.
func FuzzPlan(f *testing.F) {
	for _, s := range []string{
		"auto lo\niface lo inet loopback\n",
		"auto vmbr0\niface vmbr0 inet static\n\taddress 10.0.0.1/24\n\tbridge-ports eno1\n\niface eno1 inet manual\n",
		"auto vmbr0\niface vmbr0 inet manual\n\tbridge-ports vmbr1\n\nauto vmbr1\niface vmbr1 inet manual\n\tbridge-ports vmbr0\n",
		"auto bond0\niface bond0 inet manual\n\tbond-slaves eno1 eno2\n\nauto vmbr0.5\niface vmbr0.5 inet manual\n",
		"auto v1\niface v1 inet manual\n\tvlan-raw-device v1\n\tvlan-id 5\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if strings.Count(src, "\n") > 40 {
			return
		}
		cfg, err := ifaces.Parse(strings.NewReader(src), nil)
		if err != nil {
			return
		}
		ks := &KernelState{Links: map[string]*LinkState{}, Gateways: map[string]string{}}
		Plan(nil, cfg, ks)
		Plan(cfg, cfg, ks)
		Changed(cfg, cfg)
	})
}

const reachLive = `auto lo
iface lo inet loopback

iface v0 inet manual

auto vmbr0
iface vmbr0 inet static
	address 10.9.0.1/24
	gateway 10.9.0.254
	bridge-ports v0
	bridge-stp off
	bridge-fd 0
`

// TestCheckReachable checks the lock-out guard on staged files: only what
// the appliers bring up counts, and a zoned link-local address matches.
func TestCheckReachable(t *testing.T) {
	const ll = "auto lo\niface lo inet loopback\n\nauto vmbr0\niface vmbr0 inet6 static\n\taddress fe80::10/64\n\tbridge-ports none\n"
	noAuto := strings.Replace(reachLive, "auto vmbr0\n", "", 1)
	cases := []struct {
		name, live, staged, local, err string
	}{
		{"unchanged", reachLive, reachLive, "10.9.0.1", ""},
		{"address dropped", reachLive, strings.Replace(reachLive, "10.9.0.1/24", "10.9.0.2/24", 1), "10.9.0.1",
			"the staged configuration drops 10.9.0.1, the address this request came in on; apply with force=1 to do it anyway"},
		{"autostart off", reachLive, noAuto, "10.9.0.1",
			"the staged configuration no longer brings up vmbr0, which carries 10.9.0.1, the address this request came in on (set autostart again); apply with force=1 to do it anyway"},
		{"autostart off, other address", reachLive, noAuto, "",
			"the staged configuration drops the IPv4 default gateway 10.9.0.254; apply with force=1 to do it anyway"},
		{"gateway only on an interface not brought up before", noAuto, noAuto, "", ""},
		{"link-local with zone", ll, ll + "\n#x\n", "fe80::10%vmbr0", ""},
		{"link-local without zone", ll, ll + "\n#x\n", "fe80::10", ""},
		{"mapped IPv4", reachLive, reachLive, "::ffff:10.9.0.1", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, dir := fileService(t, c.live)
			if err := os.WriteFile(filepath.Join(dir, StagedPath), []byte(c.staged), 0o644); err != nil {
				t.Fatal(err)
			}
			var local netip.Addr
			if c.local != "" {
				local = netip.MustParseAddr(c.local)
			}
			err := s.CheckReachable(local)
			if got := errString(err); got != c.err {
				t.Errorf("got %q, want %q", got, c.err)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestPlanKeepsNonAutoInterface: an interface (and its port) that merely
// lost autostart is left alone, route included, as ifreload -a does.
func TestPlanKeepsNonAutoInterface(t *testing.T) {
	old := parse(t, reachLive)
	next := parse(t, strings.Replace(reachLive, "auto vmbr0\n", "", 1))
	ks := &KernelState{Links: map[string]*LinkState{
		"lo":    {Name: "lo", Up: true},
		"v0":    {Name: "v0", Up: true, Master: "vmbr0"},
		"vmbr0": {Name: "vmbr0", Kind: "bridge", Up: true, Addrs: []netip.Prefix{netip.MustParsePrefix("10.9.0.1/24")}},
	}, Gateways: map[string]string{"4": "10.9.0.254 dev vmbr0"}}
	ops, err := Plan(old, next, ks)
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) != 0 {
		t.Errorf("plan %q, want nothing", transcript(ops))
	}
	// dropped from the file, it goes
	ops, _ = Plan(old, parse(t, "auto lo\niface lo inet loopback\n"), ks)
	if diff := cmp.Diff([]string{"del vmbr0", "down v0", "route-del default4 10.9.0.254 dev vmbr0"}, transcript(ops)); diff != "" {
		t.Errorf("removal plan (-want +got):\n%s", diff)
	}
}

// TestAutostartOffKeepsInterface turns autostart off on the management
// bridge in a namespace with each applier: the reachability check refuses
// it, and applied anyway (force=1) the bridge stays up with its address
// and route under both, as ifreload -a leaves it; the native applier used
// to delete it.
func TestAutostartOffKeepsInterface(t *testing.T) {
	views := map[string]map[string]linkView{}
	routes := map[string][]string{}
	for _, applier := range []string{ApplierNative, ApplierIfUpDown2} {
		t.Run(applier, func(t *testing.T) {
			if applier == ApplierIfUpDown2 {
				needIfupdown2(t)
			}
			ns := newNS(t, "v0")
			s, root := nsService(t, ns, applier)
			ctx := context.Background()
			stage(t, root, reachLive)
			var log bytes.Buffer
			if err := s.Apply(ctx, &log); err != nil {
				t.Fatalf("first apply: %v\n%s", err, log.String())
			}
			before, beforeRoutes := kernelView(t, ns)
			// the GUI sends every field; only autostart changes
			err := s.Update(ctx, "vmbr0", Params{"type": "bridge", "cidr": "10.9.0.1/24", "gateway": "10.9.0.254",
				"bridge_ports": "v0", "autostart": "0"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.CheckReachable(netip.MustParseAddr("10.9.0.1")); err == nil || !strings.Contains(err.Error(), "no longer brings up vmbr0") {
				t.Errorf("reachability check: %v", err)
			}
			log.Reset()
			if err := s.Apply(ctx, &log); err != nil {
				t.Fatalf("apply: %v\n%s", err, log.String())
			}
			after, afterRoutes := kernelView(t, ns)
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("links changed (-before +after):\n%s\nlog:\n%s", diff, log.String())
			}
			if diff := cmp.Diff(beforeRoutes, afterRoutes); diff != "" {
				t.Errorf("routes changed (-before +after):\n%s", diff)
			}
			views[applier], routes[applier] = after, afterRoutes
		})
	}
	if len(views) == 2 {
		if diff := cmp.Diff(views[ApplierIfUpDown2], views[ApplierNative]); diff != "" {
			t.Errorf("ifupdown2 and native disagree (-ifupdown2 +native):\n%s", diff)
		}
		if diff := cmp.Diff(routes[ApplierIfUpDown2], routes[ApplierNative]); diff != "" {
			t.Errorf("routes differ:\n%s", diff)
		}
	}
}

// TestRefusedApplyWithRollbackKeepsStaged: when the native applier refuses
// the staged file before it goes live, apply with a rollback timeout
// leaves the staged file and the live one as they were and arms nothing.
func TestRefusedApplyWithRollbackKeepsStaged(t *testing.T) {
	ns := newNS(t, "v0")
	s, root := nsService(t, ns, ApplierNative)
	live := "auto lo\niface lo inet loopback\n\nauto v0\niface v0 inet static\n\taddress 10.9.0.1/24\n"
	staged := live + "\nauto vmbr1\niface vmbr1 inet dhcp\n\tbridge-ports none\n\tbridge-stp off\n\tbridge-fd 0\n"
	stage(t, root, live)
	if err := s.Apply(context.Background(), io.Discard); err != nil {
		t.Fatal(err)
	}
	stage(t, root, staged)
	run := func(fn func(context.Context, io.Writer) error) error {
		t.Error("a rollback was armed and fired")
		return nil
	}
	var log bytes.Buffer
	err := s.ApplyWithRollback(context.Background(), &log, time.Minute, run)
	var ref *NativeRefusal
	if !errors.As(err, &ref) {
		t.Fatalf("got %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(root, StagedPath)); string(b) != staged {
		t.Errorf("staged file now %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(root, LivePath)); string(b) != live {
		t.Errorf("live file now %q", b)
	}
	if _, pending := s.PendingRollback(); pending || s.pendingOnDisk() {
		t.Error("a rollback is pending")
	}
	if log.Len() != 0 {
		t.Errorf("log %q", log.String())
	}
}

type okRunner struct{}

func (okRunner) Run(context.Context, host.Cmd) (host.Result, error) { return host.Result{}, nil }

// TestRollbackRetriedAfterTaskStartFailure: a rollback whose task cannot
// start at the deadline is taken up again by the next Resume.
func TestRollbackRetriedAfterTaskStartFailure(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "etc/network"), 0o755)
	os.WriteFile(filepath.Join(dir, LivePath), []byte("OLD\n"), 0o644)
	os.WriteFile(filepath.Join(dir, StagedPath), []byte("NEW\n"), 0o644)
	r, _ := host.NewRoot(dir)
	s := New(Config{Root: r, Runner: okRunner{}, Applier: ApplierIfUpDown2})
	failed := make(chan struct{}, 1)
	failing := func(func(context.Context, io.Writer) error) error {
		failed <- struct{}{}
		return errors.New("start task: no space left on device")
	}
	good := func(fn func(context.Context, io.Writer) error) error { return fn(context.Background(), io.Discard) }
	if err := s.ApplyWithRollback(context.Background(), io.Discard, 10*time.Millisecond, failing); err != nil {
		t.Fatal(err)
	}
	<-failed
	s.WaitRollback()
	if b, _ := os.ReadFile(filepath.Join(dir, LivePath)); string(b) != "NEW\n" {
		t.Fatalf("live file %q before the retry", b)
	}
	s.Resume(good) // what Watch does every second
	s.WaitRollback()
	if b, _ := os.ReadFile(filepath.Join(dir, LivePath)); string(b) != "OLD\n" {
		t.Errorf("live file %q, want the previous one back", b)
	}
	if s.pendingOnDisk() {
		t.Error("rollback still pending")
	}
}
