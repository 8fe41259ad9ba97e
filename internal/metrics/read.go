package metrics

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"hostadm/internal/host"
)

// Host paths the Node reads, relative to the host root.
const (
	pathStat       = "/proc/stat"
	pathMeminfo    = "/proc/meminfo"
	pathLoadavg    = "/proc/loadavg"
	pathUptime     = "/proc/uptime"
	pathCPUInfo    = "/proc/cpuinfo"
	pathNetDev     = "/proc/net/dev"
	pathARCStats   = "/proc/spl/kstat/zfs/arcstats"
	pathKSMSharing = "/sys/kernel/mm/ksm/pages_sharing"
	pathPSICPU     = "/proc/pressure/cpu"
	pathPSIIO      = "/proc/pressure/io"
	pathPSIMemory  = "/proc/pressure/memory"
	pathEFI        = "/sys/firmware/efi"
	pathSecureBoot = "/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"
)

// nodePaths maps each host path to its place under the root once, so the
// hot path does not join strings.
type nodePaths map[string]string

func newNodePaths(root host.Root) nodePaths {
	p := nodePaths{}
	for _, name := range []string{pathStat, pathMeminfo, pathLoadavg, pathUptime,
		pathCPUInfo, pathNetDev, pathARCStats, pathKSMSharing, pathPSICPU,
		pathPSIIO, pathPSIMemory, pathEFI, pathSecureBoot} {
		p[name] = root.Path(name)
	}
	return p
}

// readLocked reads host file p into the Node's shared buffer, growing it as
// needed. The bytes are valid until the next read; callers hold n.mu.
func (n *Node) readLocked(p string) ([]byte, error) {
	f, err := os.Open(n.paths[p])
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := n.buf[:0]
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		m, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
	}
	n.buf = buf
	return buf, nil
}

// readParse reads and parses a required host file; callers hold n.mu.
func readParse[T any](n *Node, p string, parse func([]byte) (T, error)) (T, error) {
	var zero T
	b, err := n.readLocked(p)
	if err != nil {
		return zero, err
	}
	v, err := parse(b)
	if err != nil {
		return zero, fmt.Errorf("%s: %w", p, err)
	}
	return v, nil
}

// readOptional is readParse for files that may be missing (no KSM, no ZFS,
// no PSI): a missing file gives ok=false and no error.
func readOptional[T any](n *Node, p string, parse func([]byte) (T, error)) (v T, ok bool, err error) {
	v, err = readParse(n, p, parse)
	if errors.Is(err, fs.ErrNotExist) {
		return v, false, nil
	}
	return v, err == nil, err
}
