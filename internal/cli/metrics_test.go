package cli_test

import (
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"hostadm/internal/daemon/daemontest"
)

// TestMetricsTool adds a Graphite UDP server and a disabled Graphite TCP
// server whose port is closed, lists, shows and tests them, and removes
// them, in-process against the daemon's root.
func TestMetricsTool(t *testing.T) {
	env := daemontest.Start(t)
	flags := []string{"--root", env.Root, "--node", daemontest.Node}
	udp, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	udpPort := strconv.Itoa(udp.LocalAddr().(*net.UDPAddr).Port)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()

	mustRun(t, append([]string{"hostadm", "metrics", "add", "graphite", "g1", "--server", "127.0.0.1",
		"--port", udpPort, "--path", "pve.lab"}, flags...)...)
	mustRun(t, append([]string{"hostadm", "metrics", "add", "graphite", "dead", "--server", "127.0.0.1",
		"--port", closed, "--proto", "tcp", "--disable", "1"}, flags...)...)
	mustRun(t, append([]string{"hostadm", "metrics", "set", "g1", "--server", "127.0.0.1", "--port", udpPort,
		"--mtu", "1400"}, flags...)...)

	out := mustRun(t, append([]string{"hostadm", "metrics", "servers"}, flags...)...)
	if !regexp.MustCompile(`(?m)^│? *dead *│? *graphite *│? *127\.0\.0\.1 *│? *`+closed+` *│? *1 `).MatchString(out) ||
		!regexp.MustCompile(`(?m)^│? *g1 *│? *graphite *│? *127\.0\.0\.1 *│? *`+udpPort+` *│? *0 `).MatchString(out) {
		t.Errorf("servers:\n%s", out)
	}
	out = mustRun(t, append([]string{"hostadm", "metrics", "show", "g1", "--output-format", "json"}, flags...)...)
	if !strings.Contains(out, `"path":"pve.lab"`) || !strings.Contains(out, `"mtu":1400`) {
		t.Errorf("show: %s", out)
	}
	out = mustRun(t, append([]string{"hostadm", "metrics", "test", "g1"}, flags...)...)
	if !regexp.MustCompile(`^metric server 'g1' \(graphite udp://127\.0\.0\.1:` + udpPort + `\): connection test passed in \d+ ms\n$`).MatchString(out) {
		t.Errorf("test g1: %q", out)
	}
	code, _, errOut := run(t, "", append([]string{"hostadm", "metrics", "test", "dead"}, flags...)...)
	if code == 0 || !strings.Contains(errOut, "connection test failed: couldn't connect to [127.0.0.1]:"+closed) {
		t.Errorf("test dead: %d %q", code, errOut)
	}
	if code, _, errOut := run(t, "", append([]string{"hostadm", "metrics", "test"}, flags...)...); code == 0 ||
		!strings.Contains(errOut, "USAGE: metrics test <id>") {
		t.Errorf("test without id: %d %q", code, errOut)
	}
	if code, _, errOut := run(t, "", append([]string{"hostadm", "metrics", "frobnicate"}, flags...)...); code == 0 ||
		!strings.Contains(errOut, "metrics servers") {
		t.Errorf("unknown command: %d %q", code, errOut)
	}
	mustRun(t, append([]string{"hostadm", "metrics", "remove", "dead"}, flags...)...)
	mustRun(t, append([]string{"hostadm", "metrics", "remove", "g1"}, flags...)...)
	if out := mustRun(t, append([]string{"hostadm", "metrics", "servers", "--output-format", "json"}, flags...)...); strings.TrimSpace(out) != "[]" {
		t.Errorf("after remove: %s", out)
	}
}
