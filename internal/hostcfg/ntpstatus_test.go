package hostcfg

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestChronyStatusLive parses what the real chronyc prints: a chronyd
// serving local time on a free loopback port, and a second chronyd (-x: it
// never touches the clock) syncing from it and from an unreachable
// documentation address. Both run in the test's own directory with their
// own command sockets, so the host's chronyd (if any) is not involved.
func TestChronyStatusLive(t *testing.T) {
	for _, p := range []string{"chronyd", "chronyc"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("%s (Debian package chrony) is missing", p)
		}
	}
	// chronyd refuses a command socket in a directory others can enter.
	dir := filepath.Join(t.TempDir(), "chrony")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	port := freeUDPPort(t)
	startChronyd(t, dir, "server", fmt.Sprintf("local stratum 8\nallow 127.0.0.1\nbindaddress 127.0.0.1\nport %d\n", port))
	client := startChronyd(t, dir, "client",
		fmt.Sprintf("server 127.0.0.1 port %d iburst minpoll -6 maxpoll -6\nserver 192.0.2.123\nport 0\n", port))

	var sources []byte
	deadline := time.Now().Add(20 * time.Second)
	for !bytes.Contains(sources, []byte("^,*,127.0.0.1,")) {
		if time.Now().After(deadline) {
			t.Fatalf("chronyd did not select the local server:\n%s", sources)
		}
		time.Sleep(200 * time.Millisecond)
		sources, _ = chronyc(client, "sources") // the socket may not be up yet
	}
	tracking, err := chronyc(client, "tracking")
	if err != nil {
		t.Fatal(err)
	}
	st, err := ParseChrony(sources, tracking)
	if err != nil {
		t.Fatal(err)
	}
	if st.Synced != 1 || st.Server != "127.0.0.1" || st.Stratum != 9 || len(st.Sources) != 2 {
		t.Fatalf("%+v\nsources:\n%s\ntracking:\n%s", st, sources, tracking)
	}
	if s := st.Sources[0]; s.State != "selected" || s.Selected != 1 || s.Stratum != 8 || s.Mode != "server" {
		t.Errorf("source %+v", s)
	}
	if s := st.Sources[1]; s.Address != "192.0.2.123" || s.State != "unreachable" || s.Reach != "0" || s.Selected != 0 {
		t.Errorf("source %+v", s)
	}
}

// freeUDPPort returns a loopback UDP port that was free a moment ago.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// startChronyd runs chronyd in the foreground with conf plus a command
// socket and pid file in dir, and returns the socket; the test's cleanup
// kills it.
func startChronyd(t *testing.T, dir, name, conf string) string {
	t.Helper()
	sock := filepath.Join(dir, name+".sock")
	conf += fmt.Sprintf("cmdport 0\nbindcmdaddress %s\npidfile %s\n", sock, filepath.Join(dir, name+".pid"))
	file := filepath.Join(dir, name+".conf")
	if err := os.WriteFile(file, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	cmd := exec.Command("chronyd", "-d", "-x", "-u", "root", "-f", file)
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("chronyd %s:\n%s", name, log.String())
		}
	})
	return sock
}

// chronyc asks the chronyd behind sock for a CSV report, as NTPStatus does.
func chronyc(sock, report string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "chronyc", "-h", sock, "-c", "-n", report).Output()
	if err != nil {
		return nil, fmt.Errorf("chronyc %s: %w", report, err)
	}
	return out, nil
}
