package network

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"hostadm/internal/host"
)

// newNS makes a network namespace owned by the test, with lo up and the
// given veth pairs (name and peer) inside it, and deletes it afterwards.
func newNS(t testing.TB, veths ...string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root for network namespaces")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs iproute2")
	}
	b := make([]byte, 4)
	rand.Read(b)
	ns := "hostadm-t-" + hex.EncodeToString(b)
	mustRun(t, "ip", "netns", "add", ns)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	mustRun(t, "ip", "-n", ns, "link", "set", "lo", "up")
	for _, v := range veths {
		mustRun(t, "ip", "-n", ns, "link", "add", v, "type", "veth", "peer", "name", "p"+v)
	}
	return ns
}

func mustRun(t testing.TB, argv ...string) string {
	t.Helper()
	out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v: %s", strings.Join(argv, " "), err, out)
	}
	return string(out)
}

// nsRunner runs every command inside the namespace, in a private mount
// namespace where the test root's etc/network, run and var/tmp stand in
// for the host's, so ifupdown2 reads the test's file and keeps its state
// with the test.
type nsRunner struct{ ns, root string }

const nsScript = `mount --bind "$0/etc/network" /etc/network && mount --bind "$0/run" /run && ` +
	`mount --bind "$0/var/tmp" /var/tmp && exec "$@"`

func (r nsRunner) Run(ctx context.Context, c host.Cmd) (host.Result, error) {
	c.Argv = append([]string{"ip", "netns", "exec", r.ns, "unshare", "-m", "sh", "-c", nsScript, r.root}, c.Argv...)
	return host.ExecRunner{}.Run(ctx, c)
}

// nsService is a Service over a fresh root whose commands and netlink
// calls go to the namespace.
func nsService(t testing.TB, ns, applier string) (*Service, string) {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"etc/network", "run/network", "var/tmp"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// ifupdown2 reads its own configuration from /etc/network too
	if _, err := os.Stat("/etc/network/ifupdown2"); err == nil {
		mustRun(t, "cp", "-a", "/etc/network/ifupdown2", filepath.Join(root, "etc/network/"))
	}
	r, _ := host.NewRoot(root)
	no := false
	return New(Config{Root: r, Runner: nsRunner{ns: ns, root: root}, IfUpDown2: &no, Applier: applier, NetNS: ns}), root
}

func needIfupdown2(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("ifreload"); err != nil {
		t.Skip("ifupdown2 is not installed (scripts/deps.sh test installs it)")
	}
	if _, err := os.Stat("/etc/network"); err != nil {
		t.Skip("no /etc/network to stand in for")
	}
}

// linkView is the part of `ip -j -d link/addr` both appliers must agree on.
type linkView struct {
	Kind, Master, Alias string
	MTU                 int
	Up                  bool
	FwdDelay, STP       float64
	Addrs               []string
}

// kernelView reads the namespace's links, global addresses and default
// routes with iproute2's JSON output.
func kernelView(t testing.TB, ns string) (map[string]linkView, []string) {
	t.Helper()
	var links []struct {
		Name     string   `json:"ifname"`
		Flags    []string `json:"flags"`
		MTU      int      `json:"mtu"`
		Master   string   `json:"master"`
		Alias    string   `json:"ifalias"`
		Index    int      `json:"ifindex"`
		LinkInfo struct {
			Kind string         `json:"info_kind"`
			Data map[string]any `json:"info_data"`
		} `json:"linkinfo"`
		AddrInfo []struct {
			Local  string `json:"local"`
			Prefix int    `json:"prefixlen"`
			Scope  string `json:"scope"`
		} `json:"addr_info"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "ip", "-n", ns, "-j", "-d", "addr", "show")), &links); err != nil {
		t.Fatal(err)
	}
	out := map[string]linkView{}
	for _, l := range links {
		v := linkView{Kind: l.LinkInfo.Kind, Master: l.Master, Alias: l.Alias, MTU: l.MTU, Up: slices.Contains(l.Flags, "UP")}
		if v.Kind == "bridge" {
			v.FwdDelay, _ = l.LinkInfo.Data["forward_delay"].(float64)
			v.STP, _ = l.LinkInfo.Data["stp_state"].(float64)
		}
		for _, a := range l.AddrInfo {
			if a.Scope == "global" {
				v.Addrs = append(v.Addrs, a.Local+"/"+strconv.Itoa(a.Prefix))
			}
		}
		slices.Sort(v.Addrs)
		out[l.Name] = v
	}
	var routes []string
	for _, fam := range []string{"-4", "-6"} {
		var rs []struct {
			Dst, Gateway, Dev string
		}
		json.Unmarshal([]byte(mustRun(t, "ip", "-n", ns, "-j", fam, "route", "show", "default")), &rs)
		for _, r := range rs {
			routes = append(routes, r.Dst+" via "+r.Gateway+" dev "+r.Dev)
		}
	}
	return out, routes
}

func ifindexes(t testing.TB, ns string) map[string]int {
	var links []struct {
		Name  string `json:"ifname"`
		Index int    `json:"ifindex"`
	}
	json.Unmarshal([]byte(mustRun(t, "ip", "-n", ns, "-j", "link", "show")), &links)
	out := map[string]int{}
	for _, l := range links {
		out[l.Name] = l.Index
	}
	return out
}
