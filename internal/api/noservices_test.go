package api

import (
	"context"
	"testing"
)

// TestNoServicesEndpoints calls every endpoint marked NoServices on an API
// without services, as the in-process CLI does: none may need one.
func TestNoServicesEndpoints(t *testing.T) {
	a, err := New(Config{Services: &Services{}})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range a.Endpoints() {
		if !e.NoServices {
			continue
		}
		n++
		if _, err := a.Call(context.Background(), Identity{User: "root@pam"}, e.Method, e.Path, nil); err != nil {
			t.Errorf("%s %s: %v", e.Method, e.Path, err)
		}
	}
	if n == 0 {
		t.Fatal("no endpoint is marked NoServices")
	}
}
