package metrics

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"hostadm/internal/metrics/export"
	"hostadm/internal/metrics/wire"
)

// carbonConf runs carbon-cache in the foreground on loopback ports, all
// state under the test's directory, tags off as Proxmox's paths need.
const carbonConf = `[cache]
STORAGE_DIR = %[1]s/
LOCAL_DATA_DIR = %[1]s/whisper/
WHITELISTS_DIR = %[1]s/lists/
CONF_DIR = %[1]s/
LOG_DIR = %[1]s/log/
PID_DIR = %[1]s/
ENABLE_LOGROTATION = False
USER =
MAX_CACHE_SIZE = inf
MAX_UPDATES_PER_SECOND = inf
MAX_CREATES_PER_MINUTE = inf
LINE_RECEIVER_INTERFACE = 127.0.0.1
LINE_RECEIVER_PORT = %[2]d
ENABLE_UDP_LISTENER = True
UDP_RECEIVER_INTERFACE = 127.0.0.1
UDP_RECEIVER_PORT = %[3]d
PICKLE_RECEIVER_INTERFACE = 127.0.0.1
PICKLE_RECEIVER_PORT = %[4]d
CACHE_QUERY_INTERFACE = 127.0.0.1
CACHE_QUERY_PORT = %[5]d
LOG_UPDATES = False
LOG_CREATES = False
LOG_LISTENER_CONNECTIONS = False
ENABLE_TAGS = False
WHISPER_AUTOFLUSH = False
`

// TestExportToCarbon sends one round into Debian's carbon-cache twice, over
// UDP and over TCP under different path prefixes, and reads the values
// back from the whisper files with whisper-fetch: the same paths and
// values as the Graphite lines hostadm sent.
func TestExportToCarbon(t *testing.T) {
	carbon := needTool(t, "carbon-cache", "graphite-carbon")
	fetch := needTool(t, "whisper-fetch", "graphite-carbon (python3-whisper)")
	dir := t.TempDir()
	tcp, udp := freePort(t, "tcp"), freePort(t, "udp")
	conf := fmt.Sprintf(carbonConf, dir, tcp, udp, freePort(t, "tcp"), freePort(t, "tcp"))
	for name, text := range map[string]string{
		"carbon.conf":          conf,
		"storage-schemas.conf": "[all]\npattern = .*\nretentions = 10s:1h\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	startDaemon(t, dir, carbon, "--config="+filepath.Join(dir, "carbon.conf"),
		"--pidfile="+filepath.Join(dir, "carbon.pid"), "--logdir="+filepath.Join(dir, "log"), "--nodaemon", "start")
	waitFor(t, 15*time.Second, "carbon-cache to listen", func() bool { return udpBound(udp) && tcpOpen(tcp) })

	obj := exportRound(t,
		export.Server{ID: "gudp", Type: export.TypeGraphite, Host: "127.0.0.1", Port: udp, Proto: export.ProtoUDP, Path: "viaudp"},
		export.Server{ID: "gtcp", Type: export.TypeGraphite, Host: "127.0.0.1", Port: tcp, Proto: export.ProtoTCP, Path: "viatcp"})
	for _, prefix := range []string{"viaudp", "viatcp"} {
		var b wire.Batcher
		wire.EncodeGraphite(&b, prefix, &obj)
		sent := graphiteLines(t, b.Bytes())
		if len(sent) < 50 {
			t.Fatalf("%d lines sent", len(sent))
		}
		file := func(path string) string {
			return filepath.Join(dir, "whisper", strings.ReplaceAll(path, ".", "/")+".wsp")
		}
		waitFor(t, 10*time.Second, prefix+" whisper files", func() bool {
			for _, l := range sent {
				if _, err := os.Stat(file(l.path)); err != nil {
					return false
				}
			}
			return true
		})
		// whisper-fetch is a Python start each: read a sample of paths, in
		// parallel, besides checking that every path has its file.
		var wg sync.WaitGroup
		for i, l := range sent {
			if i%10 != 0 && !strings.HasSuffix(l.path, ".nics.eth0.receive") && !strings.HasSuffix(l.path, ".uptime") {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				checkWhisper(t, fetch, file(l.path), l)
			}()
		}
		wg.Wait()
	}
}

type graphiteLine struct {
	path, value string
	time        int64
}

func graphiteLines(t *testing.T, b []byte) []graphiteLine {
	var out []graphiteLine
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 {
			t.Fatalf("graphite line %q", sc.Text())
		}
		ts, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, graphiteLine{f[0], f[1], ts})
	}
	return out
}

// checkWhisper waits until whisper-fetch shows the line's value in the
// line's 10-second slot (carbon writes what it cached asynchronously).
func checkWhisper(t *testing.T, fetch, file string, l graphiteLine) {
	slot := l.time - l.time%10
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := exec.Command(fetch, "--from="+strconv.FormatInt(slot-10, 10),
			"--until="+strconv.FormatInt(slot+10, 10), file).Output()
		if err != nil {
			t.Errorf("whisper-fetch %s: %v", file, err)
			return
		}
		for _, line := range strings.Split(string(out), "\n") {
			ts, v, ok := strings.Cut(line, "\t")
			if ok && ts == strconv.FormatInt(slot, 10) && v != "None" {
				got, err := strconv.ParseFloat(v, 64)
				if err != nil {
					t.Errorf("%s: whisper-fetch value %q", l.path, v)
					return
				}
				sameNumber(t, l.path, l.value, got)
				t.Logf("%s: %v in whisper, %s sent", l.path, got, l.value)
				return
			}
		}
		if time.Now().After(deadline) {
			t.Errorf("%s: no value at %d in whisper-fetch output:\n%s", l.path, slot, out)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}
