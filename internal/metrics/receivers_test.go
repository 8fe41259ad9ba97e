package metrics

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"hostadm/internal/metrics/export"
	"hostadm/internal/metrics/wire"
)

// Helpers shared by the tests that export into real receivers (Debian's
// influxdb and graphite-carbon) started by hand on loopback.

// freePort finds a free loopback port of network ("tcp" or "udp"). Another
// process could take it before the receiver binds it; on loopback in a
// test run that is rare, and the receiver's start then fails loudly.
func freePort(t *testing.T, network string) int {
	t.Helper()
	if network == "udp" {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// udpBound reports whether a process listens on the loopback UDP port.
func udpBound(port int) bool {
	c, err := net.ListenPacket("udp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return true
	}
	c.Close()
	return false
}

// needTool skips the test when a receiver's program is not installed.
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed (Debian package %s; scripts/deps.sh test installs it)", name, pkg)
	}
	return p
}

// startDaemon runs a receiver in its own process group and stops it (and
// whatever it forked) when the test ends; its output goes to the test log
// on failure.
func startDaemon(t *testing.T, dir string, argv ...string) {
	t.Helper()
	var out bytes.Buffer
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GRAPHITE_ROOT="+dir)
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", argv[0], err)
	}
	pgid := cmd.Process.Pid
	t.Cleanup(func() {
		syscall.Kill(-pgid, syscall.SIGKILL)
		cmd.Wait()
		if t.Failed() {
			t.Logf("%s output:\n%s", filepath.Base(argv[0]), out.String())
		}
	})
}

// waitFor polls cond every 25 ms until it holds or d has passed.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// exportRound runs one collection round of the fixture node at the real
// time into srv and returns the node object the exporters were given.
func exportRound(t *testing.T, srvs ...export.Server) wire.Object {
	t.Helper()
	root := newRoot(t, roundFiles(t))
	n := NewNode(NodeConfig{Root: root, StatVFS: testVFS})
	s := NewService(ServiceConfig{Node: "pve1", NodeStat: n})
	for i := range srvs {
		srvs[i] = srvs[i].WithDefaults()
	}
	s.Exporters.Apply(srvs)
	defer s.Exporters.Close()
	if err := s.CollectOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	smp, _ := n.LastSample()
	waitFor(t, 5*time.Second, "the round to be sent", func() bool {
		for _, h := range s.Exporters.Health() {
			if h.PointsSent == 0 {
				return false
			}
		}
		return true
	})
	for id, h := range s.Exporters.Health() {
		if h.Failing || h.PointsDropped > 0 {
			t.Fatalf("server %s: %+v", id, h)
		}
	}
	return NodeObject("pve1", &smp)
}

func itoa(n int) string { return strconv.Itoa(n) }

func sameNumber(t *testing.T, what, line string, got float64) {
	t.Helper()
	want, err := strconv.ParseFloat(line, 64)
	if err != nil {
		t.Fatalf("%s: line value %q: %v", what, line, err)
	}
	if got != want {
		t.Errorf("%s = %v in the receiver, %s sent", what, got, line)
	}
}

// tcpOpen reports whether a loopback TCP port accepts connections.
func tcpOpen(port int) bool {
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
