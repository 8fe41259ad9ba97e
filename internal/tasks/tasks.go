// Package tasks runs long work as Proxmox VE-style tasks: each task has a
// UPID, a log file under the task directory, an entry in the "active" file
// while it runs and recently finished, and a line in the "index" history
// once done (FORMATS §2). It also answers the task API: list with filters,
// log paging, status and stop (API §2.7).
//
// Tasks run as goroutines inside the daemon rather than forked processes, so
// all tasks of one Manager share the daemon's PID. The UPID's pstart is
// therefore not the process start time but the task start time in clock
// ticks since boot, made strictly increasing per Manager so UPIDs stay
// unique even for tasks started in the same second.
package tasks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Defaults for Config fields left zero.
const (
	DefaultIndexMaxBytes = 50000
	DefaultProcDir       = "/proc"
	// maxActive is how many entries the active file keeps (FORMATS §2.3).
	maxActive = 25
	// lockTimeout bounds the wait for .active.lock, as in Proxmox.
	lockTimeout = 10 * time.Second
	// ticksPerSecond is USER_HZ, the unit of pstart.
	ticksPerSecond = 100
)

// Errors returned by Manager operations; the API maps them to statuses.
var (
	ErrNoSuchTask   = errors.New("no such task")
	ErrShutdown     = errors.New("task manager is shut down")
	ErrForeignTask  = errors.New("task runs in another process")
	errInterrupted  = errors.New("received interrupt")
	errInvalidField = errors.New("invalid task field")
)

// Config configures a Manager.
type Config struct {
	// Dir is the task directory, e.g. ROOT/var/log/pve/tasks. Required.
	Dir string
	// Node is the node name written into UPIDs. Required.
	Node string
	// PID is the process id written into UPIDs; 0 means os.Getpid().
	PID uint32
	// Clock returns the current time; nil means time.Now.
	Clock func() time.Time
	// Logger receives operational messages; nil discards them.
	Logger *slog.Logger
	// BootTime is the host's boot time, the origin of pstart ticks. Zero
	// means: read "btime" from ProcDir/stat, or else use the time
	// NewManager runs.
	BootTime time.Time
	// ProcDir is where other processes are looked up to decide whether a
	// task of another process still runs; "" means /proc.
	ProcDir string
	// IndexMaxBytes is the size after which index is rotated to index.1;
	// 0 means 50 000 as in Proxmox.
	IndexMaxBytes int64
	// OnFinish, when set, is called after a task of this manager ended and
	// its end was recorded, with its entry as the task list shows it
	// (EndTime and Status set). It must not block (the daemon counts
	// finished tasks for its metrics with it).
	OnFinish func(Entry)
}

// Manager starts tasks and answers questions about them. It is safe for
// concurrent use.
type Manager struct {
	cfg    Config
	ctx    context.Context // parent of every task's context
	cancel context.CancelCauseFunc
	wg     sync.WaitGroup
	cache  indexCache
	warmed chan struct{} // closed when the start-up parse of the history ended
	// activeMu serialises this process's updates of the active file.
	activeMu sync.Mutex

	mu         sync.Mutex
	running    map[string]*task // by UPID string
	lastPStart uint64
	closed     bool
}

// task is one running task of this Manager.
type task struct {
	upid   UPID
	ctx    context.Context
	cancel context.CancelCauseFunc
	done   chan struct{}
}

// NewManager checks cfg, fills in defaults, creates the task directory and
// recovers tasks a previous daemon left "running" in the active file.
func NewManager(cfg Config) (*Manager, error) {
	if cfg.Dir == "" {
		return nil, errors.New("tasks: no task directory configured")
	}
	if !validNode(cfg.Node) {
		return nil, fmt.Errorf("tasks: invalid node name %q", cfg.Node)
	}
	fillDefaults(&cfg)
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("tasks: %w", err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	m := &Manager{cfg: cfg, ctx: ctx, cancel: cancel, running: map[string]*task{}}
	m.cache.files = map[fileKey]*cachedFile{}
	if err := m.updateActive(context.Background(), nil); err != nil {
		cancel(nil)
		return nil, fmt.Errorf("tasks: recover active tasks: %w", err)
	}
	// Parse the history in the background: the first List after a start
	// would otherwise pay for it (about 25 ms per 100 000 lines on two
	// EPYC cores: BenchmarkList100kCold).
	m.wg.Add(1)
	m.warmed = make(chan struct{})
	go func() {
		defer m.wg.Done()
		defer close(m.warmed)
		m.List(Filter{})
	}()
	return m, nil
}

func fillDefaults(cfg *Config) {
	if cfg.PID == 0 {
		cfg.PID = uint32(os.Getpid())
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.ProcDir == "" {
		cfg.ProcDir = DefaultProcDir
	}
	if cfg.IndexMaxBytes <= 0 {
		cfg.IndexMaxBytes = DefaultIndexMaxBytes
	}
	if cfg.BootTime.IsZero() {
		bt, err := readBootTime(filepath.Join(cfg.ProcDir, "stat"))
		if err != nil {
			bt = cfg.Clock()
		}
		cfg.BootTime = bt
	}
}

// Shutdown stops every running task and waits, bounded by ctx, until each
// has written its final status line and index entry. Start fails afterwards.
func (m *Manager) Shutdown(ctx context.Context) error {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	m.cancel(errInterrupted)
	done := make(chan struct{})
	go func() {
		m.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("tasks: shutdown: %w", ctx.Err())
	}
}

// Wait blocks until the task upid of this Manager has finished and its
// index entry is written, or ctx ends. A task not running here returns at once.
func (m *Manager) Wait(ctx context.Context, upid string) error {
	u, err := ParseUPID(upid)
	if err != nil {
		return err
	}
	m.mu.Lock()
	t := m.running[u.String()]
	m.mu.Unlock()
	if t == nil {
		return nil
	}
	select {
	case <-t.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for %s: %w", upid, ctx.Err())
	}
}

// now is the Manager's clock in epoch seconds.
func (m *Manager) now() int64 { return m.cfg.Clock().Unix() }

// logPath is the absolute log path of a raw UPID string, using the start
// time digit as written (lowercase stays lowercase, as in Proxmox).
func (m *Manager) logPath(upid string) (string, error) {
	_, sub, ok := parseUPID(upid)
	if !ok {
		return "", ErrBadUPID
	}
	return filepath.Join(m.cfg.Dir, string(sub), upid), nil
}

// LogFile returns the absolute path of the task's log file, for download.
func (m *Manager) LogFile(upid string) (string, error) {
	return m.logPath(upid)
}
