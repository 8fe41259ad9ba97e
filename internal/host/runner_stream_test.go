package host

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// TestRunnerStreams: Lines gets stdout line by line and stopping kills
// the command (an endless `yes` ends at once, without error); lines are
// cut at MaxLine; captured output stops at MaxOutput.
func TestRunnerStreams(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	n := 0
	_, err := ExecRunner{}.Run(ctx, Cmd{Argv: []string{"yes", "line"}, Lines: func(l []byte) bool {
		n++
		return n < 10
	}})
	if err != nil || n != 10 {
		t.Fatalf("yes: %d lines, %v", n, err)
	}
	var sizes []int
	_, err = ExecRunner{}.Run(ctx, Cmd{Argv: []string{"sh", "-c", "head -c 5000000 /dev/zero; echo; echo end"}, MaxLine: 1000,
		Lines: func(l []byte) bool { sizes = append(sizes, len(l)); return true }})
	if err != nil || len(sizes) != 2 || sizes[0] != 1000 || sizes[1] != 3 {
		t.Fatalf("huge line: sizes %v, %v", sizes, err)
	}
	res, err := ExecRunner{}.Run(ctx, Cmd{Argv: []string{"head", "-c", "5000000", "/dev/zero"}, MaxOutput: 4096})
	if err != nil || len(res.Stdout) != 4096 || !res.Truncated {
		t.Fatalf("capped: %d bytes, truncated %v, %v", len(res.Stdout), res.Truncated, err)
	}
	var log bytes.Buffer
	res, _ = ExecRunner{}.Run(ctx, Cmd{Argv: []string{"head", "-c", "3000000", "/dev/zero"}, Output: &log})
	if log.Len() != 3000000 || len(res.Stdout) != 1<<20 {
		t.Errorf("with Output: log %d, captured %d", log.Len(), len(res.Stdout))
	}
}
