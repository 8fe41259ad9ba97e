package api

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"hostadm/internal/schema"
)

// FuzzRequestParams feeds arbitrary bodies, content types and query
// strings through request parsing and validation against a schema with
// every kind of parameter: nothing may panic, and what validation accepts
// must validate again unchanged.
func FuzzRequestParams(f *testing.F) {
	f.Add("POST", "application/x-www-form-urlencoded", "limit=5&errors=1", "typefilter=x")
	f.Add("PUT", "application/json", `{"limit":5,"errors":true,"statusfilter":["ok","error"]}`, "")
	f.Add("GET", "", "", "limit=-1&limit=2&_dc=1")
	f.Add("POST", "multipart/form-data; boundary=x", "--x--", "")
	f.Add("POST", "application/json", `[1,2]`, "vmid=100")
	s := schema.Obj(schema.Props{
		"limit":        schema.Int("").Min(0).Opt(),
		"errors":       schema.Bool("").Opt(),
		"typefilter":   schema.Str("").MaxLen(20).Opt(),
		"statusfilter": schema.Str("").Fmt("pve-task-status-type-list").Opt(),
		"vmid":         schema.Int("").Fmt("pve-vmid").Opt(),
		"iface":        schema.Str("").Fmt("pve-iface").Opt(),
		"ratio":        schema.Num("").Max(1).Opt(),
		"mode":         schema.Str("").OneOf("a", "b").Opt(),
	})
	f.Fuzz(func(t *testing.T, method, ctype, body, query string) {
		req, err := http.NewRequest(strings.ToUpper(method), "https://x/api2/json/y?"+query, strings.NewReader(body))
		if err != nil {
			return
		}
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		raw, err := (&API{limits: DefaultLimits()}).requestParams(nil, req, 0)
		if err != nil {
			if statusOf(err) < 400 {
				t.Fatalf("error with status %d: %v", statusOf(err), err)
			}
			return
		}
		delete(raw, "_dc")
		values, err := s.ValidateParams(raw)
		if err != nil {
			return
		}
		again := url.Values{}
		for k, v := range values {
			again.Set(k, Params{values: values}.String(k))
			_ = v
		}
		back := map[string]any{}
		for k, vs := range again {
			back[k] = vs[0]
		}
		if _, err := s.ValidateParams(back); err != nil {
			t.Fatalf("accepted %v but not its text form %v: %v", values, back, err)
		}
	})
}
