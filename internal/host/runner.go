package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"time"
)

// Cmd is one command to run: an argument vector, never a shell line.
type Cmd struct {
	Argv    []string
	Stdin   []byte
	Env     []string // extra KEY=VALUE entries added to the inherited environment
	Dir     string
	Timeout time.Duration // 0 = only the context bounds it
	// OKCodes lists exit codes that are not failures besides 0 (smartctl's
	// exit status is a bit mask, for example).
	OKCodes []int
	// Output, when set, receives stdout and stderr as they are produced
	// (a task log, say) in addition to the captured copies.
	Output io.Writer
}

// Result is what a finished command left.
type Result struct {
	Stdout   []byte
	Stderr   []byte
	ExitCode int
}

// Runner runs commands. The production runner execs them; tests use a
// Recorder that answers from recorded outputs and keeps a transcript.
type Runner interface {
	Run(ctx context.Context, c Cmd) (Result, error)
}

// ExitError keeps the argv, exit code and trimmed stderr of a failed command.
type ExitError struct {
	Argv     []string
	ExitCode int
	Stderr   string
	Err      error
}

func (e *ExitError) Error() string {
	msg := fmt.Sprintf("command '%s' failed", strings.Join(e.Argv, " "))
	if e.ExitCode >= 0 {
		msg += fmt.Sprintf(": exit code %d", e.ExitCode)
	} else if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if e.Stderr != "" {
		msg += ": " + e.Stderr
	}
	return msg
}

func (e *ExitError) Unwrap() error { return e.Err }

// ExecRunner runs commands on this machine.
type ExecRunner struct{}

// Run implements Runner.
func (ExecRunner) Run(ctx context.Context, c Cmd) (Result, error) {
	if len(c.Argv) == 0 {
		return Result{}, errors.New("run: empty argument vector")
	}
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, c.Argv[0], c.Argv[1:]...)
	cmd.WaitDelay = 5 * time.Second
	cmd.Dir = c.Dir
	if len(c.Env) > 0 {
		cmd.Env = append(cmd.Environ(), c.Env...)
	}
	if c.Stdin != nil {
		cmd.Stdin = bytes.NewReader(c.Stdin)
	}
	var stdout, stderr bytes.Buffer
	if c.Output != nil {
		cmd.Stdout = io.MultiWriter(&stdout, c.Output)
		cmd.Stderr = io.MultiWriter(&stderr, c.Output)
	} else {
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
	}
	err := cmd.Run()
	res := Result{Stdout: stdout.Bytes(), Stderr: stderr.Bytes()}
	if cmd.ProcessState != nil {
		res.ExitCode = cmd.ProcessState.ExitCode()
	}
	return res, checkExit(c, res, err)
}

func checkExit(c Cmd, res Result, err error) error {
	if err == nil {
		return nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && res.ExitCode > 0 && slices.Contains(c.OKCodes, res.ExitCode) {
		return nil
	}
	code := res.ExitCode
	if !errors.As(err, &ee) {
		code = -1
	}
	return &ExitError{Argv: c.Argv, ExitCode: code, Stderr: trim(res.Stderr), Err: err}
}

func trim(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 2000 {
		s = s[:2000] + "..."
	}
	return s
}
