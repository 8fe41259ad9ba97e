package daemon_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"hostadm/internal/daemon"
	"hostadm/internal/daemon/daemontest"
)

// The figures these benchmarks report go into the issue notes; nothing is
// asserted about them. Run with
//
//	go test -run '^$' -bench . -benchtime 3s ./internal/daemon/

// BenchmarkNodeStatusTLS measures GET /nodes/{node}/status over HTTPS with
// keep-alive and a root ticket: reqs/s and the 99th percentile latency.
// The daemon runs in this process, so the client's TLS and JSON work shares
// the CPUs with the server's: on a 2-core machine this is a lower bound
// for the server alone (scripts/bench-status.sh measures with wrk from
// outside).
func BenchmarkNodeStatusTLS(b *testing.B) {
	env := daemontest.Start(b)
	auth := env.RootAuth()
	cookie := &http.Cookie{Name: "PVEAuthCookie", Value: url.QueryEscape(auth.Ticket)}
	benchGets(b, env.Client.Transport.(*http.Transport), env.URL+"/api2/json/nodes/"+daemontest.Node+"/status", cookie)
}

// BenchmarkBareTLS is the anchor of BenchmarkNodeStatusTLS, measured the
// same way: a net/http server over TLS 1.3 and HTTP/1.1 that answers every
// request with the bytes of the daemon's status answer, without routing,
// authentication or work. Its rate is what this machine's loopback, TLS
// and net/http allow a Go server; the ratio is what the daemon adds.
func BenchmarkBareTLS(b *testing.B) {
	env := daemontest.Start(b) // idle from here on: it only gives the answer
	body := env.MustOK(env.RootAuth(), "GET", "/nodes/"+daemontest.Node+"/status", nil).Body
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.Write(body)
	}))
	srv.StartTLS()
	defer srv.Close()
	benchGets(b, srv.Client().Transport.(*http.Transport), srv.URL+"/", &http.Cookie{Name: "PVEAuthCookie", Value: "x"})
}

// benchGets sends GETs of target with cookie from 4 goroutines per CPU
// over keep-alive connections of a copy of base and reports reqs/s and
// the 50th and 99th percentile latency.
func benchGets(b *testing.B, base *http.Transport, target string, cookie *http.Cookie) {
	tr := base.Clone()
	par := runtime.GOMAXPROCS(0) * 4 // RunParallel's goroutines with SetParallelism(4)
	tr.MaxIdleConnsPerHost = par
	tr.MaxIdleConns = par
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	defer tr.CloseIdleConnections()
	get := func() error {
		req, err := http.NewRequest("GET", target, nil)
		if err != nil {
			return err
		}
		req.AddCookie(cookie)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return err
		}
		if resp.StatusCode != 200 {
			return fmt.Errorf("status %s", resp.Status)
		}
		return nil
	}
	if err := get(); err != nil { // warm up: one TLS handshake, one sample
		b.Fatal(err)
	}

	var mu sync.Mutex
	var all []time.Duration
	b.SetParallelism(4)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		lat := make([]time.Duration, 0, 1024) // per goroutine: no lock per request
		for pb.Next() {
			t0 := time.Now()
			if err := get(); err != nil {
				b.Error(err)
				return
			}
			lat = append(lat, time.Since(t0))
		}
		mu.Lock()
		all = append(all, lat...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if len(all) == 0 {
		return
	}
	slices.Sort(all)
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "req/s")
	b.ReportMetric(ms(percentile(all, 0.50)), "p50-ms")
	b.ReportMetric(ms(percentile(all, 0.99)), "p99-ms")
}

// percentile is the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(float64(len(sorted))*p+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkStartup measures daemon.Start up to the first successful HTTPS
// request over a fresh connection, with the data dir already initialised.
// The first start, which also creates the auth keys and the RSA CA and node
// certificate (as in production, not the tests' fast ECDSA keys), is
// reported once as first-start-ms.
func BenchmarkStartup(b *testing.B) {
	root := b.TempDir()
	daemontest.WriteProc(b, root)
	cfg := daemon.Config{
		Root: root, Node: daemontest.Node, Listen: "127.0.0.1:0",
		Logger: slog.New(slog.DiscardHandler),
	}
	first := startAndProbe(b, cfg)

	b.ResetTimer() // also drops reported metrics: report first-start-ms after
	for b.Loop() {
		startAndProbe(b, cfg)
	}
	b.ReportMetric(ms(first), "first-start-ms")
}

// startAndProbe starts a daemon, times it up to the first 200 from
// /version, and stops it again outside the measured time.
func startAndProbe(b *testing.B, cfg daemon.Config) time.Duration {
	b.Helper()
	ctx := context.Background()
	t0 := time.Now()
	srv, err := daemon.Start(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	svc := srv.Node().Services
	ca, err := svc.Certs.CACert(ctx)
	if err != nil {
		b.Fatal(err)
	}
	client := trustingClient(ca)
	req, err := http.NewRequest("GET", "https://"+srv.Addr().String()+"/api2/json/version", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: "PVEAuthCookie", Value: url.QueryEscape(svc.Auth.CreateTicket("root@pam"))})
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	d := time.Since(t0)
	if resp.StatusCode != 200 {
		b.Fatalf("first request: %s", resp.Status)
	}
	b.StopTimer()
	client.CloseIdleConnections()
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		b.Fatal(err)
	}
	b.StartTimer()
	return d
}

func trustingClient(caPEM []byte) *http.Client {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	return &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
	}
}

// BenchmarkIdleRSS builds the real binary, runs `hostadm serve` over an
// initialised temp root, and reports its resident set size after 2 s idle.
// It runs the measurement once whatever b.N is; then it checks that SIGTERM
// stops the daemon with exit status 0.
func BenchmarkIdleRSS(b *testing.B) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "hostadm")
	daemontest.BuildHostadm(b, bin)
	root := filepath.Join(dir, "root")
	daemontest.WriteProc(b, root)
	ca := daemontest.InitCerts(b, root, "benchnode")
	addr := freePort(b)

	cmd := exec.Command(bin, "serve", "--root", root, "--listen", addr, "--node", "benchnode", "--log-level", "warn")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-exited
		}
	}()
	waitReady(b, trustingClient(ca), "https://"+addr+"/", exited)
	time.Sleep(2 * time.Second)
	// b.Loop runs this function once; ns/op is the cost of one read.
	var rss int
	for b.Loop() {
		var err error
		if rss, err = daemontest.ProcStatusKB(cmd.Process.Pid, "VmRSS"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rss), "rss-kB")

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		b.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			b.Errorf("hostadm serve after SIGTERM: %v, want exit status 0", err)
		}
	case <-time.After(5 * time.Second):
		b.Errorf("hostadm serve still running 5 s after SIGTERM")
	}
}

// freePort picks a loopback port by listening on port 0 and closing: the
// daemon logs its address but a fixed --listen is simpler to wait for.
func freePort(b *testing.B) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitReady(b *testing.B, client *http.Client, target string, exited <-chan error) {
	b.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			b.Fatalf("hostadm serve exited early: %v", err)
		default:
		}
		resp, err := client.Get(target)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.Fatalf("hostadm serve did not answer on %s within 30 s", target)
}
