package tasks

import (
	"context"
	"errors"
	"sync"
	"testing"
)

// TestOnFinish: the hook sees every finished task with its list entry,
// before Wait returns.
func TestOnFinish(t *testing.T) {
	var mu sync.Mutex
	var got []Entry
	m, _ := newTestManager(t, func(c *Config) {
		c.OnFinish = func(e Entry) {
			mu.Lock()
			got = append(got, e)
			mu.Unlock()
		}
	})
	ok := runTask(t, m, "aptupdate", "", "root@pam", func(context.Context, *Log) error { return nil })
	runTask(t, m, "vzdump", "100", "admin@pve!tok", func(context.Context, *Log) error { return errors.New("disk full") })
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 {
		t.Fatalf("OnFinish calls: %+v", got)
	}
	if e := got[0]; e.UPID != ok || e.Type != "aptupdate" || e.Status != "OK" || e.EndTime == 0 || e.User != "root@pam" {
		t.Errorf("first: %+v", e)
	}
	if e := got[1]; e.Type != "vzdump" || e.ID != "100" || e.Status != "disk full" || StatusClass(e.Status) != "error" ||
		e.User != "admin@pve" || e.TokenID != "tok" {
		t.Errorf("second: %+v", e)
	}
}
