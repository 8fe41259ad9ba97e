package hostcfg

import (
	"context"
	"fmt"
	"strings"
	"time"

	"hostadm/internal/host"
)

// reportItem is one entry of the report: a command run on the host or a
// host file shown like `cat FILE`.
type reportItem struct {
	argv []string
	file string
}

type reportSection struct {
	title string
	items []reportItem
}

func cmd(argv ...string) reportItem { return reportItem{argv: argv} }
func cat(file string) reportItem    { return reportItem{file: file} }

// reportSections follow pvereport's layout, with hostadm's areas.
var reportSections = []reportSection{
	{"general system info", []reportItem{cmd("hostname"), cat("/etc/hostname"), cat("/etc/hosts"),
		cat("/etc/os-release"), cmd("uname", "-a"), cmd("uptime"), cmd("date", "-R")}},
	{"time sync", []reportItem{cmd("timedatectl"), cat("/etc/timezone"), cmd("chronyc", "-n", "sources", "-v"),
		cmd("chronyc", "-n", "tracking"), cmd("timedatectl", "timesync-status")}},
	{"info about storage", []reportItem{cmd("lsblk", "--ascii", "-M", "-o", "+HOTPLUG,ROTA,PHY-SEC,FSTYPE,MODEL,TRAN"),
		cmd("df", "-h", "-T"), cmd("findmnt", "--ascii"), cat("/etc/fstab")}},
	{"info about network", []reportItem{cmd("ip", "-details", "-statistics", "address"),
		cmd("ip", "-details", "-4", "route", "show"), cmd("ip", "-details", "-6", "route", "show"),
		cat("/etc/network/interfaces"), cat("/etc/resolv.conf")}},
	{"memory and KSM", []reportItem{cmd("free", "-h"), cat("/sys/kernel/mm/ksm/run"),
		cat("/sys/kernel/mm/ksm/pages_sharing"), cat("/sys/kernel/mm/ksm/full_scans"),
		cat("/proc/sys/vm/swappiness"), cat("/etc/sysctl.d/99-hostadm.conf")}},
	{"ZFS ARC", []reportItem{cat("/proc/spl/kstat/zfs/arcstats"), cmd("arc_summary", "-s", "arc")}},
	{"hardware and microcode", []reportItem{cmd("dmidecode", "-t", "bios", "-q"), cmd("lscpu"),
		cmd("grep", "-m", "1", "-E", "^(microcode|model name)", "/proc/cpuinfo"),
		cmd("journalctl", "-k", "-b", "--no-pager", "--grep", "microcode"),
		cmd("grep", "-r", "", "/sys/devices/system/cpu/vulnerabilities/")}},
}

// Report gathers a readable system report like pvereport: each section
// "\n==== TITLE ====\n", each entry "\n# COMMAND\n" and its output; every
// command has 10 seconds and a failure is appended as "ERROR: ...".
func (s *Service) Report(ctx context.Context) string {
	var b strings.Builder
	for _, sec := range reportSections {
		fmt.Fprintf(&b, "\n==== %s ====\n", sec.title)
		for _, it := range sec.items {
			if it.file != "" {
				fmt.Fprintf(&b, "\n# cat %s\n", it.file)
				data, err := s.cfg.Root.ReadFile(it.file)
				writeOut(&b, string(data), err)
				continue
			}
			fmt.Fprintf(&b, "\n# %s\n", strings.Join(it.argv, " "))
			res, err := s.cfg.Runner.Run(ctx, host.Cmd{Argv: it.argv, Timeout: 10 * time.Second})
			writeOut(&b, string(res.Stdout), err)
		}
	}
	return b.String()
}

func writeOut(b *strings.Builder, out string, err error) {
	b.WriteString(out)
	if out != "" && !strings.HasSuffix(out, "\n") {
		b.WriteString("\n")
	}
	if err != nil {
		fmt.Fprintf(b, "ERROR: %v\n", err)
	}
}
