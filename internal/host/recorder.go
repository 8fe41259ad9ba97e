package host

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Reply is a recorded answer for one command.
type Reply struct {
	Stdout   string
	Stderr   string
	ExitCode int
}

// Recorder is a Runner for tests: it answers commands from recorded replies,
// matched by their full argument vector, and keeps the transcript of every
// command asked for, so a test can assert exactly what would have run.
type Recorder struct {
	mu      sync.Mutex
	replies map[string][]Reply
	// Fallback, when set, runs commands that have no recorded reply.
	Fallback Runner
	calls    []Cmd
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder {
	return &Recorder{replies: map[string][]Reply{}}
}

// On records a reply for an argument vector. Several replies for the same
// vector are given out in order; the last one repeats.
func (r *Recorder) On(argv []string, reply Reply) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := key(argv)
	r.replies[k] = append(r.replies[k], reply)
}

// Calls returns the argument vectors asked for so far, each joined by spaces.
func (r *Recorder) Calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.calls))
	for i, c := range r.calls {
		out[i] = strings.Join(c.Argv, " ")
	}
	return out
}

// Stdin returns what the last call of argv got on standard input ("" when
// it was not called), so a test can check secrets went there and not into
// the argument vector.
func (r *Recorder) Stdin(argv []string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.calls) - 1; i >= 0; i-- {
		if key(r.calls[i].Argv) == key(argv) {
			return string(r.calls[i].Stdin)
		}
	}
	return ""
}

// CallArgs returns the argument vectors asked for so far.
func (r *Recorder) CallArgs() [][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([][]string, len(r.calls))
	for i, c := range r.calls {
		out[i] = slices.Clone(c.Argv)
	}
	return out
}

// Run implements Runner.
func (r *Recorder) Run(ctx context.Context, c Cmd) (Result, error) {
	r.mu.Lock()
	r.calls = append(r.calls, c)
	k := key(c.Argv)
	list, ok := r.replies[k]
	var rep Reply
	if ok {
		rep = list[0]
		if len(list) > 1 {
			r.replies[k] = list[1:]
		}
	}
	fallback := r.Fallback
	r.mu.Unlock()
	if !ok {
		if fallback != nil {
			return fallback.Run(ctx, c)
		}
		return Result{ExitCode: 127}, &ExitError{Argv: c.Argv, ExitCode: -1,
			Err: fmt.Errorf("no recorded reply for %q", strings.Join(c.Argv, " "))}
	}
	if c.Output != nil {
		c.Output.Write([]byte(rep.Stdout))
		c.Output.Write([]byte(rep.Stderr))
	}
	res := Result{Stdout: []byte(rep.Stdout), Stderr: []byte(rep.Stderr), ExitCode: rep.ExitCode}
	if c.Lines != nil {
		res.Stdout = nil
		stopped := false
		ForEachLine(strings.NewReader(rep.Stdout), c.MaxLine, func(line []byte, _ bool) bool {
			stopped = !c.Lines(line)
			return !stopped
		})
		if stopped {
			return res, nil // the command was stopped early: no exit status
		}
	}
	if rep.ExitCode != 0 {
		for _, ok := range c.OKCodes {
			if ok == rep.ExitCode {
				return res, nil
			}
		}
		return res, &ExitError{Argv: c.Argv, ExitCode: rep.ExitCode, Stderr: trim(res.Stderr),
			Err: fmt.Errorf("exit status %d", rep.ExitCode)}
	}
	return res, nil
}

func key(argv []string) string { return strings.Join(argv, "\x00") }
