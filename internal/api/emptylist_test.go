package api

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"hostadm/internal/schema"
)

// TestArrayEndpointsNeverAnswerNull: a list endpoint with nothing to list
// answered `data: null` (GET apt/versions without matching packages).
// The API layer now answers [] for every endpoint whose return schema is
// an array, whatever nil the handler returned.
func TestArrayEndpointsNeverAnswerNull(t *testing.T) {
	list := schema.Arr(schema.Obj(nil).AllowMore())
	var nilSlice []map[string]any
	extra := []*Endpoint{
		{Method: "GET", Path: "/test/nil", Perm: Perm{World: true}, Params: schema.Obj(nil), Returns: list,
			Handler: func(context.Context, *Request) (any, error) { return nil, nil }},
		{Method: "GET", Path: "/test/nilslice", Perm: Perm{World: true}, Params: schema.Obj(nil), Returns: list,
			Handler: func(context.Context, *Request) (any, error) { return nilSlice, nil }},
		{Method: "GET", Path: "/test/result", Perm: Perm{World: true}, Params: schema.Obj(nil), Returns: list,
			Handler: func(context.Context, *Request) (any, error) { return &Result{Data: nilSlice}, nil }},
		{Method: "GET", Path: "/test/object", Perm: Perm{World: true}, Params: schema.Obj(nil), Returns: schema.Null(),
			Handler: func(context.Context, *Request) (any, error) { return nil, nil }},
	}
	a, err := New(Config{Services: &Services{Node: "n1"}, ExtraEndpoints: extra})
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{"/test/nil": `{"data":[]}`, "/test/nilslice": `{"data":[]}`,
		"/test/result": `{"data":[]}`, "/test/object": `{"data":null}`} {
		w := httptest.NewRecorder()
		a.ServeHTTP(w, httptest.NewRequest("GET", "/api2/json"+path, nil))
		if got := strings.TrimSpace(w.Body.String()); got != want {
			t.Errorf("GET %s = %s, want %s", path, got, want)
		}
	}
	// Every array endpoint of the table goes through the same place.
	for _, e := range a.Endpoints() {
		if e.Returns != nil && e.Returns.Type == schema.TArray {
			b, _ := json.Marshal(emptyList(e.Returns, nil))
			if string(b) != "[]" {
				t.Errorf("%s %s: nil becomes %s", e.Method, e.Path, b)
			}
		}
	}
}

// TestNodeIndexEntriesAnswer: entries of the node index (hardware,
// metrics, storage/{storage}) answered 501; each answers its directory.
func TestNodeIndexEntriesAnswer(t *testing.T) {
	a, err := New(Config{Services: &Services{Node: "n1"}})
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"/nodes/{node}/hardware":          `"type":"firmware"`,
		"/nodes/{node}/metrics":           `"name":"prometheus"`,
		"/nodes/{node}/storage/{storage}": `"subdir":"content"`,
	} {
		e, _ := a.Lookup("GET", path)
		if e == nil {
			t.Errorf("GET %s: not implemented", path)
			continue
		}
		res, err := e.Handler(context.Background(), &Request{Endpoint: e, api: a})
		b, _ := json.Marshal(res)
		if err != nil || !strings.Contains(string(b), want) {
			t.Errorf("GET %s = %s, %v; want an entry %s", path, b, err, want)
		}
	}
}
