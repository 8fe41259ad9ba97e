package sectioncfg

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"hostadm/internal/schema"
)

// fileValue is PVE's check_value for one line of the file; a bare key is a
// boolean set to 1. Arrays come back as a one-element []string.
func (s *Schema) fileValue(opts Options, k, v string, hasValue bool) (any, error) {
	ps, err := s.propFor(opts, k)
	if err != nil {
		return nil, err
	}
	if !hasValue {
		if ps.Type != schema.TBoolean {
			return nil, errors.New("got undefined value")
		}
		v = "1"
	}
	return convert(k, ps, []string{v})
}

// apiValue checks a value handed to Create or Update: typed (as
// schema.ValidateParams returns it) or raw text.
func (s *Schema) apiValue(opts Options, k string, v any) (any, error) {
	ps, err := s.propFor(opts, k)
	if err != nil {
		return nil, err
	}
	list, err := texts(v)
	if err != nil {
		return nil, fmt.Errorf("property '%s': %w", k, err)
	}
	val, err := convert(k, ps, list)
	if err != nil {
		return nil, fmt.Errorf("property '%s': %w", k, err)
	}
	return val, nil
}

func (s *Schema) propFor(opts Options, k string) (*schema.Schema, error) {
	if _, ok := opts[k]; !ok {
		return nil, fmt.Errorf("unexpected property '%s'", k)
	}
	ps := s.Properties[k]
	if ps == nil {
		return nil, errors.New("unknown property type")
	}
	return ps, nil
}

// convert checks the text of a value against its schema and returns the
// typed value; array items are checked one by one and kept as text.
func convert(k string, ps *schema.Schema, list []string) (any, error) {
	for _, t := range list {
		if err := checkText(t); err != nil {
			return nil, err
		}
	}
	if ps.Type == schema.TArray {
		item := ps.Items
		if item == nil {
			item = schema.Str("")
		}
		for _, t := range list {
			if _, err := checkOne(k, item, t); err != nil {
				return nil, err
			}
		}
		return slices.Clone(list), nil
	}
	if len(list) != 1 {
		return nil, fmt.Errorf("type check ('%s') failed - got ARRAY", ps.Type)
	}
	return checkOne(k, ps, list[0])
}

// checkText refuses what a value cannot hold in the file: a line break
// would end the line, and other control characters (TAB aside) have no
// place in a configuration value and could confuse whoever reads it next.
func checkText(t string) error {
	if strings.ContainsAny(t, "\r\n") {
		return errors.New("property contains a line feed")
	}
	for i := 0; i < len(t); i++ {
		if c := t[i]; c < 0x20 && c != '\t' {
			return fmt.Errorf("property contains a control character (0x%02x)", c)
		}
	}
	return nil
}

// checkOne reuses the API validator, so file values get the same checks and
// messages as request parameters.
func checkOne(k string, ps *schema.Schema, text string) (any, error) {
	if ps.Requires != "" || ps.Optional {
		ps = ps.Clone()
		ps.Requires, ps.Optional = "", false
	}
	out, err := schema.Obj(schema.Props{k: ps}).ValidateParams(map[string]any{k: text})
	var pe schema.ParamError
	if errors.As(err, &pe) {
		return nil, errors.New(strings.TrimRight(pe[k], "\n"))
	}
	if err != nil {
		return nil, err
	}
	return out[k], nil
}

// texts turns a value into its text form(s).
func texts(v any) ([]string, error) {
	switch x := v.(type) {
	case []string:
		return x, nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			t, err := text(e)
			if err != nil {
				return nil, err
			}
			out = append(out, t)
		}
		return out, nil
	}
	t, err := text(v)
	if err != nil {
		return nil, err
	}
	return []string{t}, nil
}

// text formats a scalar the way the file holds it (booleans as 1/0).
func text(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case bool:
		if x {
			return "1", nil
		}
		return "0", nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case int:
		return strconv.Itoa(x), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case json.Number:
		return x.String(), nil
	}
	return "", fmt.Errorf("unsupported value type %T", v)
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
