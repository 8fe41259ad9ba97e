package schema

import (
	"errors"
	"strings"
)

// ParsePropString parses a Proxmox property string ("key=value,key=value";
// the default key may be left out for the first value) against its member
// schemas and returns the values by key. It follows Proxmox's
// parse_property_string: structural errors (a bad or repeated key) are
// reported as they are met, then the collected values are checked like an
// object and every bad member is listed under "format error". Booleans
// inside accept 1/0/on/off/yes/no/true/false.
func ParsePropString(format Props, v string) (map[string]any, error) {
	raw, err := splitPropString(format, v)
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(raw))
	bad := ParamError{}
	for _, k := range format.Names() {
		s := format[k]
		val, ok := raw[k]
		if !ok {
			if !s.Optional {
				bad.Add(k, MsgMissing)
			}
			continue
		}
		conv, msg := s.propValue(val)
		if msg != "" {
			bad.Add(k, strings.TrimSuffix(msg, "\n"))
			continue
		}
		out[k] = conv
	}
	if len(bad) > 0 {
		var b strings.Builder
		b.WriteString("format error\n")
		for _, k := range bad.names() {
			b.WriteString(k + ": " + bad[k] + "\n")
		}
		return nil, errors.New(b.String())
	}
	return out, nil
}

// splitPropString splits v into raw values by key, with Proxmox's messages
// for what cannot be split.
func splitPropString(format Props, v string) (map[string]string, error) {
	defKey := ""
	for _, k := range format.Names() {
		if format[k].DefaultKey {
			defKey = k
			break
		}
	}
	raw := map[string]string{}
	for _, part := range strings.Split(v, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		k, val, hasEq := strings.Cut(part, "=")
		switch {
		case !hasEq:
			if defKey == "" {
				return nil, errors.New("value without key, but schema does not define a default key\n")
			}
			k, val = defKey, part
		case k == "" || val == "":
			return nil, errors.New("missing key in comma-separated list property\n")
		case format[k] == nil:
			return nil, errors.New("invalid key in comma-separated list property: " + k + "\n")
		}
		if _, dup := raw[k]; dup {
			return nil, errors.New("duplicate key in comma-separated list property: " + k + "\n")
		}
		raw[k] = val
	}
	return raw, nil
}

func (s *Schema) propValue(val string) (any, string) {
	if s.Type == TBoolean {
		switch strings.ToLower(val) {
		case "1", "on", "yes", "true":
			return true, ""
		case "0", "off", "no", "false":
			return false, ""
		}
		return nil, "type check ('boolean') failed - got '" + val + "'"
	}
	return s.check(val)
}

// PrintPropString writes values back as a property string: the default key
// first, then the other keys in the given order. The default key is written
// bare, as Proxmox does, unless its value would then read back as something
// else (blank, or holding a '='), in which case it keeps its key.
func PrintPropString(format Props, values map[string]any, order []string) string {
	var parts []string
	for k, s := range format {
		if !s.DefaultKey {
			continue
		}
		if v, ok := values[k]; ok {
			text, _ := scalarString(v)
			if strings.TrimSpace(text) == "" || strings.Contains(text, "=") {
				text = k + "=" + text
			}
			parts = append(parts, text)
		}
	}
	for _, k := range order {
		v, ok := values[k]
		if !ok || (format[k] != nil && format[k].DefaultKey) {
			continue
		}
		text, _ := scalarString(v)
		parts = append(parts, k+"="+text)
	}
	return strings.Join(parts, ",")
}
