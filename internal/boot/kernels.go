package boot

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// dpkgStatus is dpkg's database of installed packages.
const dpkgStatus = "/var/lib/dpkg/status"

var (
	kernelPkg   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(proxmox|pve)-kernel-[0-9]+\.`) })
	debugPkg    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`-dbg(sym)?(:.*)?$`) })
	seriesOnly  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]+\.[0-9]+$`) })
	abiVersion  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[^ ]+-pve`) })
	kernelVerRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+~-]*$`) })
)

// InstalledKernels parses dpkg's status file and returns the kernel
// versions and series of the installed Proxmox kernel packages, as
// Proxmox's kernel_keep_versions reads them from `dpkg -l`: packages
// wanted for install or hold and not removed, named pve-kernel-X or
// proxmox-kernel-X (X starting with a series number), without debug
// packages, the prefix and a -signed suffix cut off.
func InstalledKernels(r io.Reader) ([]string, error) {
	var out []string
	var name, status string
	flush := func() {
		if name != "" && installed(status) && kernelPkg().MatchString(name) && !debugPkg().MatchString(name) {
			v := strings.TrimPrefix(strings.TrimPrefix(name, "pve-kernel-"), "proxmox-kernel-")
			out = append(out, strings.TrimSuffix(v, "-signed"))
		}
		name, status = "", ""
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			flush()
		case strings.HasPrefix(line, "Package:"):
			name = strings.TrimSpace(strings.TrimPrefix(line, "Package:"))
		case strings.HasPrefix(line, "Status:"):
			status = strings.TrimSpace(strings.TrimPrefix(line, "Status:"))
		}
	}
	flush()
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("parse dpkg status: %w", err)
	}
	return out, nil
}

// installed is dpkg -l's "[ih][^nc]": wanted for install or hold, and not
// "not-installed" or "config-files".
func installed(status string) bool {
	f := strings.Fields(status)
	if len(f) != 3 {
		return false
	}
	return (f[0] == "install" || f[0] == "hold") && f[2] != "not-installed" && f[2] != "config-files"
}

// Selection is why kernels are kept, for listings.
type Selection struct {
	Installed []string // versions and series, newest first
	Running   string   // "" when its image is not in /boot
	Manual    []string
	Pinned    string
	NextBoot  string
	Keep      []string // all kept versions and series, sorted
	Boot      []string // Keep without the series: what goes onto the ESPs
}

// Select computes the kernels to keep and to boot, like Proxmox's
// kernel_keep_versions and boot_kernel_list; install is a kernel being
// installed right now ("" for none).
func (s *Service) Select(install string) (*Selection, error) {
	sel := &Selection{}
	if b, err := s.root.ReadFile(dpkgStatus); err == nil {
		inst, err := InstalledKernels(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		sel.Installed = sortVersionsDesc(inst)
	}
	sel.Running = s.runningKernel()
	manual, err := s.lines(ManualKernels)
	if err != nil {
		return nil, err
	}
	sel.Manual = manual
	sel.Pinned = s.firstLine(PinFile)
	sel.NextBoot = s.firstLine(NextBootPin)
	keep := []string{sel.Running, install}
	keep = append(keep, manual...)
	keep = append(keep, autoSelected(sel.Installed)...)
	keep = append(keep, sel.Pinned, sel.NextBoot)
	keep = slices.DeleteFunc(sortUnique(keep), func(v string) bool { return v == "" })
	sel.Keep = keep
	for _, v := range keep {
		if !seriesOnly().MatchString(v) {
			sel.Boot = append(sel.Boot, v)
		}
	}
	return sel, nil
}

// autoSelected are the two newest kernels, the two newest series and the
// newest kernel of the older of those series, from a newest-first list.
func autoSelected(sorted []string) []string {
	var abis, series []string
	for _, v := range sorted {
		if abiVersion().MatchString(v) {
			abis = append(abis, v)
		} else {
			series = append(series, v)
		}
	}
	out := append(head(abis, 2), head(series, 2)...)
	if len(series) > 0 {
		old := head(series, 2)[len(head(series, 2))-1]
		for _, v := range sorted {
			if strings.HasPrefix(v, old+".") && abiVersion().MatchString(v) {
				out = append(out, v)
				break
			}
		}
	}
	return out
}

func head(l []string, n int) []string {
	if len(l) > n {
		return l[:n]
	}
	return l
}

// runningKernel is `uname -r` in lower case, or "" when its image is gone
// from /boot (Proxmox ignores a removed running kernel).
func (s *Service) runningKernel() string {
	v := strings.ToLower(strings.TrimSpace(s.firstLine("/proc/sys/kernel/osrelease")))
	if v == "" || !s.root.Exists("/boot/vmlinuz-"+v) {
		return ""
	}
	return v
}

// ValidKernelVersion tells whether v can name a kernel (no slashes,
// spaces or shell characters), before any path is built from it.
func ValidKernelVersion(v string) bool {
	return kernelVerRe().MatchString(v) && len(v) <= 128
}

// HasKernel tells whether /boot holds the image of kernel version v.
func (s *Service) HasKernel(v string) bool {
	return ValidKernelVersion(v) && s.root.Exists("/boot/vmlinuz-"+v)
}

// sortVersionsDesc is `sort --unique --reverse --version-sort`.
func sortVersionsDesc(l []string) []string {
	out := slices.Clone(l)
	slices.SortFunc(out, func(a, b string) int { return -versionCompare(a, b) })
	return slices.Compact(out)
}

// versionCompare orders like GNU sort -V on these names: runs of digits
// compare as numbers, other runs byte by byte.
func versionCompare(a, b string) int {
	for a != "" && b != "" {
		ra, ta := nextRun(a)
		rb, tb := nextRun(b)
		if c := compareRun(ra, rb); c != 0 {
			return c
		}
		a, b = ta, tb
	}
	return strings.Compare(a, b)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func nextRun(s string) (run, rest string) {
	d := isDigit(s[0])
	i := 1
	for i < len(s) && isDigit(s[i]) == d {
		i++
	}
	return s[:i], s[i:]
}

func compareRun(a, b string) int {
	if isDigit(a[0]) && isDigit(b[0]) {
		a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
		if len(a) != len(b) {
			return len(a) - len(b)
		}
	}
	return strings.Compare(a, b)
}
