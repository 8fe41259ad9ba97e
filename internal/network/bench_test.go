package network

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bridgeFile configures n bridges, each with a veth port and an address.
func bridgeFile(n int, changed int) string {
	var b strings.Builder
	b.WriteString("auto lo\niface lo inet loopback\n\n")
	for i := 0; i < n; i++ {
		host := 1
		if i == changed {
			host = 2
		}
		fmt.Fprintf(&b, "iface v%d inet manual\n\nauto br%d\niface br%d inet static\n\taddress 10.%d.%d.%d/24\n\tbridge-ports v%d\n\tbridge-stp off\n\tbridge-fd 0\n\n",
			i, i, i, 100+i/256, i%256, host, i)
	}
	return b.String()
}

// nsWithVeths makes a namespace with n veth pairs v0..v(n-1) in one batch.
func nsWithVeths(b *testing.B, n int) string {
	ns := newNS(b)
	var batch strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&batch, "link add v%d type veth peer name pv%d\n", i, i)
	}
	cmd := exec.Command("ip", "-n", ns, "-batch", "-")
	cmd.Stdin = strings.NewReader(batch.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("ip -batch: %v: %s", err, out)
	}
	return ns
}

func benchApply(b *testing.B, applier string, n int) {
	for b.Loop() {
		b.StopTimer()
		ns := nsWithVeths(b, n)
		svc, root := nsService(b, ns, applier)
		if err := os.WriteFile(filepath.Join(root, "etc/network/interfaces.new"), []byte(bridgeFile(n, -1)), 0o644); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := svc.Apply(context.Background(), io.Discard); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		exec.Command("ip", "netns", "del", ns).Run()
		b.StartTimer()
	}
}

// BenchmarkApply500Bridges applies 500 bridges, each with a veth port and
// an address, from nothing: ifreload -a against the native applier, and
// the kernel's own cost for the same changes, `ip -batch` (ip-batch).
func BenchmarkApply500Bridges(b *testing.B) {
	b.Run("ifupdown2", func(b *testing.B) {
		needIfupdown2(b)
		benchApply(b, ApplierIfUpDown2, 500)
	})
	b.Run("native", func(b *testing.B) { benchApply(b, ApplierNative, 500) })
	b.Run("ip-batch", func(b *testing.B) { benchIPBatch(b, 500) })
}

// bridgeBatch is what the native applier does for bridgeFile(n, -1), as
// iproute2 batch lines.
func bridgeBatch(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "link set v%d up\n", i)
	}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "link add br%d type bridge stp_state 0 forward_delay 0\nlink set v%d master br%d\n"+
			"link set br%d up\naddr add 10.%d.%d.1/24 dev br%d\n", i, i, i, i, 100+i/256, i%256, i)
	}
	return b.String()
}

func benchIPBatch(b *testing.B, n int) {
	batch := bridgeBatch(n)
	for b.Loop() {
		b.StopTimer()
		ns := nsWithVeths(b, n)
		cmd := exec.Command("ip", "-n", ns, "-batch", "-")
		cmd.Stdin = strings.NewReader(batch)
		b.StartTimer()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("ip -batch: %v: %s", err, out)
		}
		b.StopTimer()
		exec.Command("ip", "netns", "del", ns).Run()
		b.StartTimer()
	}
}

// BenchmarkChangeOneAddress1000 changes one address in a 1,000-bridge
// configuration with the native applier (read, plan, apply), checking
// every interface against the kernel as ifreload -a does: against the
// kernel model the daemon keeps (model, the default), against a dump of
// the kernel on each apply (dump), and trusting the kernel for what did
// not change (changed-only, with a dump of the changed links).
//
// ifupdown2 is ifreload -a doing the same (minutes: run it with
// -benchtime 1x).
func BenchmarkChangeOneAddress1000(b *testing.B) {
	for _, mode := range []string{"model", "dump", "changed-only", "ifupdown2"} {
		b.Run(mode, func(b *testing.B) { benchChangeOne(b, 1000, mode) })
	}
}

func benchChangeOne(b *testing.B, n int, mode string) {
	applier := ApplierNative
	if mode == ApplierIfUpDown2 {
		needIfupdown2(b)
		applier = ApplierIfUpDown2
	}
	ns := nsWithVeths(b, n)
	svc, root := nsService(b, ns, applier)
	svc.cfg.ChangedOnly = mode == "changed-only"
	if mode == "model" {
		m, err := StartKernelModel(ns, 0)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(m.Close)
		svc.UseKernelModel(m)
	}
	staged := filepath.Join(root, "etc/network/interfaces.new")
	files := []string{bridgeFile(n, -1), bridgeFile(n, n/2)}
	os.WriteFile(staged, []byte(files[0]), 0o644)
	if err := svc.Apply(context.Background(), io.Discard); err != nil {
		b.Fatal(err)
	}
	i := 1
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		os.WriteFile(staged, []byte(files[i%2]), 0o644)
		i++
		b.StartTimer()
		c := processCPU()
		if err := svc.Apply(context.Background(), io.Discard); err != nil {
			b.Fatal(err)
		}
		cpu += processCPU() - c
	}
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(i-1), "cpu-ms/op")
}

// processCPU is the CPU time the process used so far: on a shared machine
// it tells the work's cost apart from the time spent waiting for a core.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
