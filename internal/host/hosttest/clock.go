// Package hosttest holds test doubles for what services take besides a
// root and a runner: a clock that a test sets and moves on.
package hosttest

import (
	"sync"
	"time"
)

// Clock is a settable clock; its Now method is a service's Config.Clock.
// It is safe for use by the service's goroutines and the test at once.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock standing at now.
func NewClock(now time.Time) *Clock { return &Clock{now: now} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Add moves the clock on by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
