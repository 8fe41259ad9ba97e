// Package promdefer holds back the Prometheus registrations that linked
// libraries make while the program initialises, until something needs
// them.
//
// etcd's server packages register their collectors with Prometheus's
// default registry from their init functions. client_golang checks each
// registration on a goroutine of its own and waits for it, and Go runs
// init functions on the main goroutine locked to the main thread: every
// registration hands the CPU from one OS thread to another and back.
// Linking the etcd member (DESIGN.md: one binary) thus cost every hostadm
// command several milliseconds of thread switches before main, for
// metrics only the running member serves.
//
// Importing this package swaps the default registerer for one that
// records what it is given; Activate registers the recorded collectors
// with the default registry and passes later ones through. Go initialises
// packages in import-path order as far as their imports allow, so the
// registrations of packages initialised before this one go straight to
// the registry, as before: only when they happen changes, never whether.
package promdefer

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

var held = &registerer{}

func init() {
	held.real = prometheus.DefaultRegisterer
	prometheus.DefaultRegisterer = held
}

// Activate registers what was held back with the registry it was meant
// for and lets every later registration through at once. A collector the
// registry refuses (registered twice) panics here, as MustRegister in the
// library's init would have.
func Activate() {
	held.mu.Lock()
	defer held.mu.Unlock()
	if held.active {
		return
	}
	held.active = true
	held.real.MustRegister(held.pending...)
	held.pending = nil
}

type registerer struct {
	mu      sync.Mutex
	real    prometheus.Registerer
	pending []prometheus.Collector
	active  bool
}

func (r *registerer) Register(c prometheus.Collector) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.active {
		return r.real.Register(c)
	}
	r.pending = append(r.pending, c)
	return nil
}

func (r *registerer) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		if err := r.Register(c); err != nil {
			panic(err)
		}
	}
}

// Unregister follows the registry's own rules (it matches collectors by
// what they describe): the held registrations are made first.
func (r *registerer) Unregister(c prometheus.Collector) bool {
	Activate()
	return r.real.Unregister(c)
}
