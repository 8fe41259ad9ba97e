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
	// (a task log, say) in addition to the captured copies, which are
	// then capped at MaxOutput (1 MiB when 0): the log has the whole text.
	Output io.Writer
	// Lines, when set, streams stdout: it gets each line as it comes (cut
	// at MaxLine bytes, DefaultMaxLine when 0) and nothing is captured in
	// Result.Stdout. Returning false stops the command early (it is
	// killed; that is no error). Use it for every command whose output
	// can be large (journals, logs).
	Lines   func(line []byte) bool
	MaxLine int
	// MaxOutput caps the captured stdout in bytes (0: no cap unless
	// Output is set); Result.Truncated tells when it cut.
	MaxOutput int
}

// maxStderr bounds the captured stderr: it only ever goes into error
// messages, which keep 2000 characters of it.
const maxStderr = 64 << 10

// outputCap is the cap on captured stdout for c, 0 for none.
func (c Cmd) outputCap() int {
	if c.MaxOutput == 0 && c.Output != nil {
		return 1 << 20
	}
	return c.MaxOutput
}

// Result is what a finished command left.
type Result struct {
	Stdout   []byte
	Stderr   []byte
	ExitCode int
	// Truncated is set when captured output was cut at Cmd.MaxOutput.
	Truncated bool
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
	stderr := &capWriter{max: maxStderr}
	cmd.Stderr = teeTo(stderr, c.Output)
	if c.Lines != nil {
		return runStreaming(ctx, cmd, c, stderr)
	}
	var stdout io.Writer
	capped := &capWriter{max: c.outputCap()}
	var full bytes.Buffer
	if capped.max > 0 {
		stdout = capped
	} else {
		stdout = &full
	}
	cmd.Stdout = teeTo(stdout, c.Output)
	err := cmd.Run()
	res := Result{Stdout: full.Bytes(), Stderr: stderr.buf, Truncated: capped.truncated}
	if capped.max > 0 {
		res.Stdout = capped.buf
	}
	if cmd.ProcessState != nil {
		res.ExitCode = cmd.ProcessState.ExitCode()
	}
	return res, checkExit(c, res, err)
}

func teeTo(w io.Writer, also io.Writer) io.Writer {
	if also == nil {
		return w
	}
	return io.MultiWriter(w, also)
}

// runStreaming runs cmd handing its stdout to c.Lines line by line; when
// Lines says stop, the command is killed and that counts as success.
func runStreaming(ctx context.Context, cmd *exec.Cmd, c Cmd, stderr *capWriter) (Result, error) {
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		return Result{}, fmt.Errorf("run %s: %w", c.Argv[0], err)
	}
	if err := cmd.Start(); err != nil {
		return Result{ExitCode: -1}, &ExitError{Argv: c.Argv, ExitCode: -1, Err: err}
	}
	stopped := false
	var out io.Writer = io.Discard
	if c.Output != nil {
		out = c.Output
	}
	readErr := ForEachLine(pipe, c.MaxLine, func(line []byte, _ bool) bool {
		out.Write(line)
		out.Write([]byte{'\n'})
		if !c.Lines(line) {
			stopped = true
			return false
		}
		return true
	})
	if stopped || readErr != nil {
		cmd.Process.Kill()
		io.Copy(io.Discard, pipe) // let Wait finish the pipe
	}
	err = cmd.Wait()
	res := Result{Stderr: stderr.buf}
	if cmd.ProcessState != nil {
		res.ExitCode = cmd.ProcessState.ExitCode()
	}
	if stopped {
		return res, nil
	}
	if readErr != nil {
		return res, &ExitError{Argv: c.Argv, ExitCode: -1, Err: readErr}
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
