package export

import (
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"
)

// DefaultQueueLen is how many rounds a server may fall behind (a minute at
// the 10-second rhythm) before the oldest are dropped.
const DefaultQueueLen = 6

// Config configures a Manager.
type Config struct {
	Logger   *slog.Logger
	Clock    func() time.Time
	QueueLen int // rounds per server; 0 means DefaultQueueLen
}

// Manager runs one worker per enabled server.
type Manager struct {
	cfg     Config
	mu      sync.Mutex
	workers map[string]*worker
}

// NewManager returns a Manager with no servers.
func NewManager(cfg Config) *Manager {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.QueueLen <= 0 {
		cfg.QueueLen = DefaultQueueLen
	}
	return &Manager{cfg: cfg, workers: map[string]*worker{}}
}

// Apply makes the running workers match servers: new ones start, removed
// and disabled ones stop, changed ones restart. Health counters of a
// server that keeps its id survive a change of its settings.
func (m *Manager) Apply(servers []Server) {
	want := map[string]Server{}
	for _, s := range servers {
		if !s.Disable {
			want[s.ID] = s.WithDefaults()
		}
	}
	m.mu.Lock()
	var stopping []*worker
	kept := map[string]Health{}
	for id, w := range m.workers {
		if s, ok := want[id]; !ok || s != w.srv {
			stopping = append(stopping, w)
			kept[id] = w.snapshot()
			delete(m.workers, id)
		}
	}
	for id, s := range want {
		if _, ok := m.workers[id]; !ok {
			h := kept[id]
			h.QueueDepth = 0
			m.workers[id] = newWorker(s, m.cfg.QueueLen, h, m.cfg.Logger, m.cfg.Clock)
		}
	}
	m.mu.Unlock()
	// Stop outside the lock: a worker may take up to its timeout to notice,
	// and Publish must not wait for that.
	for _, w := range stopping {
		w.stop()
	}
}

// Publish hands a round to every worker. It never blocks.
func (m *Manager) Publish(r *Round) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, w := range m.workers {
		w.push(r)
	}
}

// Health returns the health of every running server by id.
func (m *Manager) Health() map[string]Health {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]Health, len(m.workers))
	for id, w := range m.workers {
		out[id] = w.snapshot()
	}
	return out
}

// IDs returns the ids of the running servers, sorted.
func (m *Manager) IDs() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Sorted(maps.Keys(m.workers))
}

// Close stops every worker.
func (m *Manager) Close() { m.Apply(nil) }
