package schema

import (
	"errors"
	"fmt"
	"strings"
)

// ParsePropString parses a Proxmox property string ("key=value,key=value";
// the default key may be left out for the first value) against its member
// schemas and returns the values by key. Booleans inside accept
// 1/0/on/off/yes/no/true/false, as Proxmox's parse_property_string does.
func ParsePropString(format Props, v string) (map[string]any, error) {
	out := map[string]any{}
	defKey := ""
	for k, s := range format {
		if s.DefaultKey {
			defKey = k
		}
	}
	for _, part := range strings.Split(v, ",") {
		if part == "" {
			continue
		}
		k, val, ok := strings.Cut(part, "=")
		if !ok {
			if defKey == "" {
				return nil, fmt.Errorf("value without key, but schema does not define a default key\n")
			}
			if _, dup := out[defKey]; dup {
				return nil, fmt.Errorf("format error\n%s: duplicate key in comma-separated list property\n", defKey)
			}
			k, val = defKey, part
		}
		s, known := format[k]
		if !known {
			return nil, fmt.Errorf("format error\n%s: property is not defined in schema and the schema does not allow additional properties\n", k)
		}
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("format error\n%s: duplicate key in comma-separated list property\n", k)
		}
		conv, msg := s.propValue(val)
		if msg != "" {
			return nil, fmt.Errorf("format error\n%s: %s", k, strings.TrimSuffix(msg, "\n")+"\n")
		}
		out[k] = conv
	}
	for k, s := range format {
		if _, ok := out[k]; !ok && !s.Optional {
			return nil, errors.New("format error\n" + k + ": " + MsgMissing + "\n")
		}
	}
	return out, nil
}

func (s *Schema) propValue(val string) (any, string) {
	if s.Type == TBoolean {
		switch strings.ToLower(val) {
		case "1", "on", "yes", "true":
			return true, ""
		case "0", "off", "no", "false":
			return false, ""
		}
		return nil, fmt.Sprintf("type check ('boolean') failed - got '%s'", val)
	}
	return s.check(val)
}

// PrintPropString writes values back as a property string, keys in the
// given order, the default key first and bare when it is set.
func PrintPropString(format Props, values map[string]any, order []string) string {
	var parts []string
	for _, k := range order {
		v, ok := values[k]
		if !ok {
			continue
		}
		text, _ := scalarString(v)
		if format[k] != nil && format[k].DefaultKey && len(parts) == 0 {
			parts = append(parts, text)
			continue
		}
		parts = append(parts, k+"="+text)
	}
	return strings.Join(parts, ",")
}
