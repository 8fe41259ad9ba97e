// Command benchreport runs hostadm's comparison benchmarks in one sitting
// and prints each figure beside its anchor measured in the same run
// (ifreload -a for an apply, `ip -batch` for the kernel's own cost, a full
// parse for the task index, the binary's own start for the CLI, a bare Go
// TLS server for the status endpoint) with their
// ratio, so a reader sees the standing without trusting older numbers.
// `make bench-report` runs it from the repository root; it writes nothing
// into the tree. BENCH_COUNT (default 3) is how often each benchmark runs;
// the figures are medians. BENCH_SLOW=0 leaves out the ifreload runs over
// 1,000 bridges (minutes).
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// run is one `go test -bench` invocation.
type run struct {
	pkg, bench, benchtime string
	slow                  bool
}

var runs = []run{
	{"./internal/network/ifaces/", "^BenchmarkParseWrite4094$", "20x", false},
	{"./internal/tasks/", "^BenchmarkList100k(Cold|Rebuild)?$", "20x", false},
	{"./internal/network/", "^BenchmarkApply500Bridges$", "1x", false},
	{"./internal/network/", "^BenchmarkChangeOneAddress1000$/^(model|dump)$", "10x", false},
	{"./internal/network/", "^BenchmarkChangeOneAddress1000$/^ifupdown2$", "1x", true},
	{"./internal/network/", "^BenchmarkVLANAware8Ports$", "3x", false},
	{"./internal/daemon/", "^Benchmark(NodeStatus|Bare)TLS$", "3s", false},
}

// row is a line of the report: a figure and its anchor (bench/unit).
type row struct {
	what, fig, anchor, unit, anchorName, target string
}

var rows = []row{
	{"parse+write 4,094 bridges", "BenchmarkParseWrite4094", "", "ms/op", "", "≤ 12 ms (Proxmox's Perl: 587-718 ms, not installed here)"},
	{"  the same, CPU time", "BenchmarkParseWrite4094", "", "cpu-ms/op", "", ""},
	{"  allocations per stanza", "BenchmarkParseWrite4094", "", "allocs/stanza", "", ""},
	{"500 bridges from nothing", "BenchmarkApply500Bridges/native", "BenchmarkApply500Bridges/ip-batch", "ms/op", "ip -batch", "≤ 1.3× ip -batch"},
	{"500 bridges from nothing", "BenchmarkApply500Bridges/native", "BenchmarkApply500Bridges/ifupdown2", "ms/op", "ifreload -a", ""},
	{"one change at 1,000 bridges (model)", "BenchmarkChangeOneAddress1000/model", "BenchmarkChangeOneAddress1000/dump", "ms/op", "dump per apply", "≤ 20 ms"},
	{"  the same, CPU time", "BenchmarkChangeOneAddress1000/model", "BenchmarkChangeOneAddress1000/dump", "cpu-ms/op", "dump per apply", ""},
	{"one change at 1,000 bridges (model)", "BenchmarkChangeOneAddress1000/model", "BenchmarkChangeOneAddress1000/ifupdown2", "ms/op", "ifreload -a", ""},
	{"VLAN-aware bridge 2-4094 × 8 ports (plan)", "BenchmarkVLANAware8Ports/native-plan", "BenchmarkVLANAware8Ports/ifupdown2", "ms/op", "ifreload -a", "no VLAN filtering in this kernel"},
	{"  netlink operations planned", "BenchmarkVLANAware8Ports/native-plan", "", "ops", "", ""},
	{"task list 100,000 lines, cold", "BenchmarkList100kCold", "BenchmarkList100kRebuild", "ms/op", "full parse", "< 10 ms"},
	{"task list 100,000 lines, warm", "BenchmarkList100k", "BenchmarkList100kRebuild", "ms/op", "full parse", "< 1 ms"},
	{"pvesh get /version (process, median of 20)", "cli/version", "cli/help", "ms/op", "hostadm help", "< 10 ms"},
	{"  a program linking only the etcd member", "cli/etcd-floor", "", "ms/op", "", "the floor of one binary with etcd embedded"},
	{"TLS node status (in-process client)", "BenchmarkNodeStatusTLS", "BenchmarkBareTLS", "req/s", "bare Go TLS server", "≥ 20,000 req/s"},
	{"  p99 latency", "BenchmarkNodeStatusTLS", "BenchmarkBareTLS", "p99-ms", "bare Go TLS server", "< 5 ms"},
}

func main() {
	count := envInt("BENCH_COUNT", 3)
	slow := os.Getenv("BENCH_SLOW") != "0"
	figs := map[string]map[string][]float64{} // bench → unit → values
	start := time.Now()
	for _, r := range runs {
		if r.slow && !slow {
			continue
		}
		if err := goBench(r, count, figs); err != nil {
			fmt.Fprintf(os.Stderr, "bench-report: %s %s: %v\n", r.pkg, r.bench, err)
		}
	}
	if err := cliBench(figs); err != nil {
		fmt.Fprintf(os.Stderr, "bench-report: cli: %v\n", err)
	}
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("\nhostadm bench report, %s, %d run(s) each (medians), load %s\n", time.Now().UTC().Format(time.RFC3339), count, strings.Fields(string(load) + " ?")[0])
	fmt.Printf("%-44s %12s  %-16s %12s  %7s  %s\n", "measure", "figure", "anchor", "anchor fig.", "ratio", "target")
	for _, w := range rows {
		printRow(w, figs)
	}
	fmt.Printf("(took %s)\n", time.Since(start).Round(time.Second))
}

func printRow(w row, figs map[string]map[string][]float64) {
	f, ok := median(figs[w.fig][w.unit])
	if !ok {
		fmt.Printf("%-44s %12s  %-16s %12s  %7s  %s\n", w.what, "n/a", w.anchorName, "", "", w.target)
		return
	}
	a, aok := median(figs[w.anchor][w.unit])
	as, ratio := "", ""
	if aok {
		as = fmtVal(a, w.unit)
		if a != 0 {
			ratio = fmt.Sprintf("%.2f×", f/a)
		}
	} else if w.anchor != "" {
		as = "n/a"
	}
	fmt.Printf("%-44s %12s  %-16s %12s  %7s  %s\n", w.what, fmtVal(f, w.unit), w.anchorName, as, ratio, w.target)
}

func fmtVal(v float64, unit string) string {
	u := strings.TrimSuffix(unit, "/op")
	switch {
	case unit == "req/s":
		return fmt.Sprintf("%.0f %s", v, u)
	case v >= 100:
		return fmt.Sprintf("%.0f %s", v, u)
	}
	return fmt.Sprintf("%.3g %s", v, u)
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

// goBench runs one benchmark set and files its figures; ns/op is filed
// as ms/op as well.
func goBench(r run, count int, figs map[string]map[string][]float64) error {
	args := []string{"test", "-run", "^$", "-bench", r.bench, "-benchtime", r.benchtime, "-count", strconv.Itoa(count), r.pkg}
	fmt.Fprintf(os.Stderr, "go %s\n", strings.Join(args, " "))
	cmd := exec.Command("go", args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	err := cmd.Run()
	if err != nil {
		os.Stderr.Write(out.Bytes())
	}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		f := strings.Fields(m[2])
		for i := 0; i+1 < len(f); i += 2 {
			v, perr := strconv.ParseFloat(f[i], 64)
			if perr != nil {
				continue
			}
			add(figs, m[1], f[i+1], v)
			if f[i+1] == "ns/op" {
				add(figs, m[1], "ms/op", v/1e6)
			}
		}
	}
	return err
}

func add(figs map[string]map[string][]float64, bench, unit string, v float64) {
	if figs[bench] == nil {
		figs[bench] = map[string][]float64{}
	}
	figs[bench][unit] = append(figs[bench][unit], v)
}

// cliBench times `hostadm pvesh get /version` as a whole process (20 runs
// after 3 to warm the page cache), beside `hostadm help` (the binary's
// own start, the floor any command pays) and a program that links only
// the etcd member (etcdfloor: the floor of the design's one binary).
func cliBench(figs map[string]map[string][]float64) error {
	dir, err := os.MkdirTemp("", "benchreport")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "hostadm")
	floor := filepath.Join(dir, "etcdfloor")
	for out, pkg := range map[string]string{bin: "./cmd/hostadm", floor: "./scripts/benchreport/etcdfloor"} {
		if msg, err := exec.Command("go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
			return fmt.Errorf("build %s: %v: %s", pkg, err, msg)
		}
	}
	root := filepath.Join(dir, "root")
	os.Mkdir(root, 0o755)
	for name, argv := range map[string][]string{
		"cli/version":    {bin, "pvesh", "get", "/version", "--root", root},
		"cli/help":       {bin, "help"},
		"cli/etcd-floor": {floor},
	} {
		for i := range 23 {
			t0 := time.Now()
			if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
				return fmt.Errorf("%s: %v: %s", strings.Join(argv, " "), err, out)
			}
			if i >= 3 {
				add(figs, name, "ms/op", float64(time.Since(t0).Microseconds())/1000)
			}
		}
	}
	return nil
}

func median(v []float64) (float64, bool) {
	if len(v) == 0 {
		return 0, false
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2], true
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}
