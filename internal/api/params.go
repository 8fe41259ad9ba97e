package api

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"hostadm/internal/schema"
)

// Params are a request's validated parameters. Getters fall back to the
// schema's default when a parameter was not sent.
type Params struct {
	values map[string]any
	schema *schema.Schema
	// extra names the sent parameters the schema does not declare; only
	// schemas that allow more properties let them through.
	extra []string
}

// Extra returns the names of sent parameters an endpoint whose schema
// allows more properties did not declare, sorted; the handler decides
// about them (the VM config refuses each with its own message).
func (p Params) Extra() []string { return p.extra }

// extraParams lists the raw names an object schema does not declare.
func extraParams(s *schema.Schema, raw map[string]any) []string {
	if s == nil || !s.Additional {
		return nil
	}
	var out []string
	for k, v := range raw {
		if _, ok := s.Properties[k]; !ok && v != nil {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// Has tells whether the parameter was sent.
func (p Params) Has(name string) bool {
	_, ok := p.values[name]
	return ok
}

// Raw returns the sent value or nil.
func (p Params) Raw(name string) any { return p.values[name] }

// Names returns the names of the sent parameters.
func (p Params) Names() []string {
	out := make([]string, 0, len(p.values))
	for k := range p.values {
		out = append(out, k)
	}
	return out
}

func (p Params) get(name string) any {
	if v, ok := p.values[name]; ok {
		return v
	}
	if p.schema != nil {
		if s := p.schema.Properties[name]; s != nil {
			return s.Default
		}
	}
	return nil
}

// String returns a string parameter ("" when absent without default).
func (p Params) String(name string) string {
	switch v := p.get(name).(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case []string:
		return strings.Join(v, ",")
	case int64:
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	case bool:
		if v {
			return "1"
		}
		return "0"
	}
	return ""
}

// Int returns an integer parameter (0 when absent without default).
func (p Params) Int(name string) int64 {
	switch v := p.get(name).(type) {
	case int64:
		return v
	case int:
		return int64(v)
	case float64:
		return int64(v)
	}
	return 0
}

// Bool returns a boolean parameter (false when absent without default).
func (p Params) Bool(name string) bool {
	switch v := p.get(name).(type) {
	case bool:
		return v
	case int:
		return v != 0
	case int64:
		return v != 0
	}
	return false
}

// List returns a "-list" string parameter split into items, or an array
// parameter's strings.
func (p Params) List(name string) []string {
	switch v := p.get(name).(type) {
	case string:
		return schema.SplitList(v)
	case []string:
		return v
	}
	return nil
}
