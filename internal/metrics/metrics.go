// Package metrics holds hostadm's collectors of node, storage and guest
// data, the exporters that send them to metric servers, and the history
// behind the graphs.
//
// Everything is read from files under a host.Root (ROOT/proc, ROOT/sys), so
// tests hand in a temporary directory with captured files. The parsers
// (ParseStat, ParseMeminfo, ParseCPUInfo, ...) are pure: bytes in, values
// out.
package metrics

import (
	"sync"
	"sync/atomic"
	"time"

	"hostadm/internal/host"
)

// DefaultStatusTTL is how long Node.Status reuses a computed result.
const DefaultStatusTTL = time.Second

// NodeConfig is what a Node is built from. Only Root is required.
type NodeConfig struct {
	// Root is the host root; /proc and /sys are read below it.
	Root host.Root
	// StatVFS reports the file system holding path as statvfs(3) does.
	// The default is statfs(2) of Root.Path("/").
	StatVFS func(path string) (VFSStat, error)
	// Statfs is a simpler stand-in for StatVFS (tests): the size of the
	// file system in bytes, total (blocks), free (bfree) and avail
	// (bavail, what non-root users may use), without inode counts. It is
	// used only when StatVFS is nil.
	Statfs func(path string) (total, free, avail uint64, err error)
	// Uname reports the running kernel. The default is uname(2).
	Uname func() (sysname, release, version, machine string)
	// Clock is the time source; the default is time.Now.
	Clock func() time.Time
	// StatusTTL is how long Status may return a cached result: 0 means
	// DefaultStatusTTL, a negative value disables the cache.
	StatusTTL time.Duration
}

// Node collects the status and counters of the node hostadm runs on. It is
// safe for concurrent use.
type Node struct {
	cfg      NodeConfig
	paths    nodePaths
	rootPath string // Root.Path("/"), computed once

	// cache holds the last Status result; readers only load the pointer.
	cache atomic.Pointer[cachedStatus]

	mu       sync.Mutex // guards everything below
	buf      []byte     // read buffer reused for every file
	static   *staticInfo
	statusCU cpuUsage // fed by Status refreshes and Samples
	sampleCU cpuUsage // fed by Samples only
	last     *NodeSample
}

type cachedStatus struct {
	at     time.Time
	status Status
}

// NewNode returns a Node reading below cfg.Root, filling in the defaults
// documented on NodeConfig.
func NewNode(cfg NodeConfig) *Node {
	if cfg.StatVFS == nil && cfg.Statfs == nil {
		cfg.StatVFS = statvfs
	}
	if cfg.Uname == nil {
		cfg.Uname = uname
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.StatusTTL == 0 {
		cfg.StatusTTL = DefaultStatusTTL
	}
	return &Node{
		cfg:      cfg,
		paths:    newNodePaths(cfg.Root),
		rootPath: cfg.Root.Path("/"),
		buf:      make([]byte, 0, 16<<10),
		statusCU: cpuUsage{minTicks: statusMinTicks},
	}
}
