package acme

import (
	"testing"
	"time"
)

func TestRetryDelay(t *testing.T) {
	for _, c := range []struct {
		n    int
		want time.Duration
	}{{0, time.Hour}, {1, time.Hour}, {2, 2 * time.Hour}, {4, 8 * time.Hour}, {5, 16 * time.Hour}, {6, 24 * time.Hour}, {1000, 24 * time.Hour}} {
		if got := retryDelay(c.n, time.Hour, 24*time.Hour); got != c.want {
			t.Errorf("retryDelay(%d) = %v, want %v", c.n, got, c.want)
		}
	}
}
