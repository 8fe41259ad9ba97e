package api_test

import (
	"context"
	"testing"
	"time"

	"hostadm/internal/daemon/daemontest"
)

// TestShutdownTwice: a second Shutdown returns at once.
func TestShutdownTwice(t *testing.T) {
	env := daemontest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := env.Server.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- env.Server.Shutdown(ctx) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("second Shutdown hangs")
	}
}
