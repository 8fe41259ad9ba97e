package promdefer_test

import (
	"errors"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	_ "go.etcd.io/etcd/server/v3/embed" // as hostadm links it, for its init-time registrations

	"hostadm/internal/cfs/promdefer"
)

// TestEtcdRegistrationsHeld checks, in a binary that links the etcd member
// as hostadm does, that the package initialises early enough to hold back
// a good part of etcd's init-time registrations (Go's import-path order
// decides how many). It comes before the test that calls Activate. It
// lives in the external test package: importing etcd from the package's
// own test files would make etcd initialise before it.
func TestEtcdRegistrationsHeld(t *testing.T) {
	n := promdefer.Pending()
	t.Logf("%d registrations held back", n)
	if n < 50 {
		t.Errorf("%d registrations held back; etcd's storage and server packages make well over 50", n)
	}
}

func gathered(t *testing.T, name string) bool {
	t.Helper()
	fams, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() == name {
			return true
		}
	}
	return false
}

// TestHeldUntilActivate registers through the default registerer, as
// etcd's init functions do: nothing reaches the registry before Activate,
// everything after it, and the registry's own rules hold afterwards.
func TestHeldUntilActivate(t *testing.T) {
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "promdefer_test_total", Help: "test"})
	c.Inc()
	before := promdefer.Pending()
	prometheus.MustRegister(c)
	if promdefer.Pending() != before+1 || gathered(t, "promdefer_test_total") {
		t.Fatalf("the registration was not held: %d pending, was %d", promdefer.Pending(), before)
	}
	promdefer.Activate()
	if promdefer.Pending() != 0 || !gathered(t, "promdefer_test_total") {
		t.Fatal("Activate did not register the held collector")
	}
	var are prometheus.AlreadyRegisteredError
	if err := prometheus.Register(c); !errors.As(err, &are) {
		t.Errorf("a second registration after Activate: %v", err)
	}
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "promdefer_test_later", Help: "test"})
	prometheus.MustRegister(g)
	if !gathered(t, "promdefer_test_later") {
		t.Error("a registration after Activate was held")
	}
	if !prometheus.Unregister(c) || gathered(t, "promdefer_test_total") {
		t.Error("unregister after Activate")
	}
	promdefer.Activate() // twice is fine
}
