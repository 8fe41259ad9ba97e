package schema

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

var (
	reInteger = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[+-]?\d+$`) })
	reNumber  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[+-]?(\d+\.\d+|\d+\.|\.\d+|\d+)([eE][+-]?\d+)?$`) })
	patterns  sync.Map // pattern string -> *regexp.Regexp; a memo, filled on first use
)

func compiled(p string) (*regexp.Regexp, error) {
	if r, ok := patterns.Load(p); ok {
		return r.(*regexp.Regexp), nil
	}
	r, err := regexp.Compile(`^(?:` + p + `)$`)
	if err != nil {
		return nil, err
	}
	patterns.Store(p, r)
	return r, nil
}

// ValidateParams checks raw request values against an object schema and
// returns them converted: string, int64, float64, bool, []string or []any.
// Raw values are strings, string slices (repeated form keys) or values
// decoded from JSON with UseNumber. Every problem is reported, per parameter.
func (s *Schema) ValidateParams(raw map[string]any) (map[string]any, error) {
	errs := cappedErrors{ParamError{}, 0}
	out := make(map[string]any, len(raw))
	for _, name := range slices.Sorted(maps.Keys(raw)) {
		v := raw[name]
		if v == nil {
			continue
		}
		ps, ok := s.Properties[name]
		if !ok {
			if !s.Additional {
				errs.Add(name, MsgNotDefined)
			}
			continue
		}
		val, msg := ps.check(v)
		if msg != "" {
			errs.Add(name, msg)
			continue
		}
		out[name] = val
	}
	// Missing properties first, then `requires`, in name order: like
	// Proxmox's check_object, and the message a parameter gets does not
	// depend on map iteration order.
	names := s.Properties.Names()
	for _, name := range names {
		if _, have := out[name]; !have && !s.Properties[name].Optional {
			errs.Add(name, MsgMissing)
		}
	}
	for _, name := range names {
		req := s.Properties[name].Requires
		if _, have := out[name]; have && req != "" {
			if _, ok := out[req]; !ok {
				errs.Add(req, fmt.Sprintf("missing property required by '%s'", name))
			}
		}
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	return out, nil
}

// check converts and validates one value; it returns the message on failure.
func (s *Schema) check(v any) (any, string) {
	if s.Type == TArray {
		return s.checkArray(v)
	}
	if list, ok := asList(v); ok {
		if s.Type == TString && strings.HasSuffix(s.Format, "-list") {
			v = strings.Join(list, ",")
		} else if len(list) == 1 {
			v = list[0]
		} else {
			return nil, fmt.Sprintf("type check ('%s') failed - got ARRAY", s.Type)
		}
	}
	switch s.Type {
	case TBoolean:
		return checkBool(v)
	case TInteger:
		return s.checkInteger(v)
	case TNumber:
		return s.checkNumber(v)
	case TString, "":
		str, ok := scalarString(v)
		if !ok {
			return nil, fmt.Sprintf("type check ('string') failed - got %s", kind(v))
		}
		return str, s.checkString(str)
	case TObject:
		if m, ok := v.(map[string]any); ok {
			return m, ""
		}
		return nil, fmt.Sprintf("type check ('object') failed - got '%v'", v)
	}
	return v, ""
}

func (s *Schema) checkArray(v any) (any, string) {
	list, ok := asList(v)
	if !ok {
		str, isStr := scalarString(v)
		if !isStr {
			return nil, "type check ('array') failed"
		}
		list = []string{str}
	}
	if s.Items != nil && s.Items.Type != "" && s.Items.Type != TString {
		out := make([]any, 0, len(list))
		for _, item := range list {
			val, msg := s.Items.check(item)
			if msg != "" {
				return nil, msg
			}
			out = append(out, val)
		}
		return out, ""
	}
	if s.Items != nil {
		for _, item := range list {
			if msg := s.Items.checkString(item); msg != "" {
				return nil, msg
			}
		}
	}
	return list, ""
}

func asList(v any) ([]string, bool) {
	switch l := v.(type) {
	case []string:
		return l, true
	case []any:
		out := make([]string, 0, len(l))
		for _, x := range l {
			s, ok := scalarString(x)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case int:
		return strconv.Itoa(x), true
	case bool:
		if x {
			return "1", true
		}
		return "0", true
	}
	return "", false
}

func kind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "HASH"
	case []any, []string:
		return "ARRAY"
	}
	return fmt.Sprintf("'%v'", v)
}

func checkBool(v any) (any, string) {
	switch x := v.(type) {
	case bool:
		return x, ""
	case json.Number:
		v = x.String()
	}
	str, _ := scalarString(v)
	switch str {
	case "1":
		return true, ""
	case "0":
		return false, ""
	}
	return nil, fmt.Sprintf("type check ('boolean') failed - got '%s'", str)
}

func (s *Schema) checkInteger(v any) (any, string) {
	str, ok := scalarString(v)
	if !ok || !reInteger().MatchString(str) {
		return nil, fmt.Sprintf("type check ('integer') failed - got '%s'", str)
	}
	n, err := strconv.ParseInt(str, 10, 64)
	if err != nil {
		return nil, fmt.Sprintf("type check ('integer') failed - got '%s'", str)
	}
	return n, s.checkScalar(str, float64(n))
}

func (s *Schema) checkNumber(v any) (any, string) {
	str, ok := scalarString(v)
	if !ok || !reNumber().MatchString(str) {
		return nil, fmt.Sprintf("type check ('number') failed - got '%s'", str)
	}
	f, err := strconv.ParseFloat(str, 64)
	if err != nil {
		return nil, fmt.Sprintf("type check ('number') failed - got '%s'", str)
	}
	return f, s.checkScalar(str, f)
}

// checkScalar applies to a number what Proxmox's check_prop applies to any
// scalar: format and pattern on its text (pve-vmid is an integer with a
// format), then the range, then the enumeration.
func (s *Schema) checkScalar(text string, f float64) string {
	if msg := s.checkText(text); msg != "" {
		return msg
	}
	if msg := s.checkRange(f); msg != "" {
		return msg
	}
	return s.checkEnum(text)
}

func (s *Schema) checkRange(f float64) string {
	if s.Minimum != nil && f < *s.Minimum {
		return "value must have a minimum value of " + num(*s.Minimum)
	}
	if s.Maximum != nil && f > *s.Maximum {
		return "value must have a maximum value of " + num(*s.Maximum)
	}
	return ""
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// checkString applies format, pattern, length and enumeration, in the order
// of Proxmox's check_prop (so a value that breaks several rules gets the
// same message as from Proxmox).
func (s *Schema) checkString(v string) string {
	if msg := s.checkText(v); msg != "" {
		return msg
	}
	return s.checkEnum(v)
}

// checkText applies format, pattern, maxLength and minLength.
func (s *Schema) checkText(v string) string {
	if s.Format != "" {
		if msg := CheckFormat(s.Format, v); msg != "" {
			return "invalid format - " + msg
		}
	} else if s.PropFormat != nil {
		if _, err := ParsePropString(s.PropFormat, v); err != nil {
			return "invalid format - " + err.Error()
		}
	}
	if s.Pattern != "" {
		r, err := compiled(s.Pattern)
		if err != nil || !r.MatchString(v) {
			return "value does not match the regex pattern"
		}
	}
	if s.MaxLength != nil && len(v) > *s.MaxLength {
		return fmt.Sprintf("value may only be %d characters long", *s.MaxLength)
	}
	if s.MinLength != nil && len(v) < *s.MinLength {
		return fmt.Sprintf("value must be at least %d characters long", *s.MinLength)
	}
	return ""
}

func (s *Schema) checkEnum(v string) string {
	if len(s.Enum) == 0 || slices.Contains(s.Enum, v) {
		return ""
	}
	return fmt.Sprintf("value '%s' does not have a value in the enumeration '%s'", v, strings.Join(s.Enum, ", "))
}
