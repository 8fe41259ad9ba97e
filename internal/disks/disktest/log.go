package disktest

import (
	"fmt"
	"strings"
	"sync"
)

// Log collects what a task would log, warnings as "WARN: " lines. It
// satisfies disks.Log. The runner copies a command's output from its own
// goroutines, so every access holds mu.
type Log struct {
	mu sync.Mutex
	b  strings.Builder
}

// Write appends p.
func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// Printf appends one formatted line.
func (l *Log) Printf(f string, a ...any) { fmt.Fprintf(l, f+"\n", a...) }

// Warn appends one formatted line prefixed with "WARN: ".
func (l *Log) Warn(f string, a ...any) { fmt.Fprintf(l, "WARN: "+f+"\n", a...) }

// String is everything logged so far.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Reset forgets everything logged so far.
func (l *Log) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.Reset()
}
