package ifaces

import (
	"bytes"
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// bridgesFile is a file with n VLAN-numbered bridges, each on its own
// VLAN of eno1 and with an address.
func bridgesFile(n int) []byte {
	var b bytes.Buffer
	b.WriteString("auto lo\niface lo inet loopback\n\niface eno1 inet manual\n\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "auto vmbr%d\niface vmbr%d inet static\n\taddress 10.%d.%d.1/24\n\tbridge-ports eno1.%d\n\tbridge-stp off\n\tbridge-fd 0\n\n",
			i, i, i/256, i%256, i)
	}
	return b.Bytes()
}

// processCPU is the CPU time the process used so far. On a shared machine
// it tells the cost of the work apart from time spent waiting for a core.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkParseWrite4094 parses and writes a file with 4,094 bridges and
// reports, beside the usual figures, the process CPU time per file and
// the allocations per stanza.
func BenchmarkParseWrite4094(b *testing.B) {
	const stanzas = 4094 + 2
	src := bridgesFile(4094)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu := processCPU()
	n := 0
	for b.Loop() {
		cfg, err := Parse(bytes.NewReader(src), nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := cfg.Marshal(Options{IfUpDown2: true}); err != nil {
			b.Fatal(err)
		}
		n++
	}
	cpu = processCPU() - cpu
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(n), "cpu-ms/op")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(n)/stanzas, "allocs/stanza")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(n)/stanzas, "B/stanza")
}
