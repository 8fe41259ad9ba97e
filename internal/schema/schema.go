// Package schema describes API parameters and results the way Proxmox VE's
// JSON schema does (types, optional, default, format, pattern, ranges, enums,
// property strings) and validates raw request values against it, producing
// Proxmox's exact error messages.
package schema

import (
	"encoding/json"
	"maps"
	"slices"
)

// Type names as Proxmox uses them.
const (
	TString  = "string"
	TInteger = "integer"
	TNumber  = "number"
	TBoolean = "boolean"
	TObject  = "object"
	TArray   = "array"
	TNull    = "null"
	TAny     = "any"
)

// Schema is one value's schema. It marshals to Proxmox's JSON shape, so the
// API index and `pvesh usage` show what Proxmox shows.
type Schema struct {
	Type        string   `json:"type,omitempty"`
	Description string   `json:"description,omitempty"`
	Optional    bool     `json:"-"`
	Default     any      `json:"default,omitempty"`
	Format      string   `json:"-"` // a named format, e.g. "pve-node"
	PropFormat  Props    `json:"-"` // a property-string format (key=value,...)
	DefaultKey  bool     `json:"-"` // inside a property string: the key may be left out
	Pattern     string   `json:"pattern,omitempty"`
	MinLength   *int     `json:"minLength,omitempty"`
	MaxLength   *int     `json:"maxLength,omitempty"`
	Minimum     *float64 `json:"minimum,omitempty"`
	Maximum     *float64 `json:"maximum,omitempty"`
	Enum        []string `json:"enum,omitempty"`
	Requires    string   `json:"requires,omitempty"`
	Items       *Schema  `json:"items,omitempty"`
	Properties  Props    `json:"properties,omitempty"`
	// Additional allows properties not in Properties (result objects).
	Additional bool   `json:"-"`
	TypeText   string `json:"typetext,omitempty"`
	// Verbose marks options hidden from short usage (Proxmox's verbose_description is not kept).
	Title string `json:"title,omitempty"`
}

// Props maps property names to schemas.
type Props map[string]*Schema

// MarshalJSON renders the Proxmox shape: optional as 1, format as a name or
// an object, additionalProperties as 0/1 on objects.
func (s *Schema) MarshalJSON() ([]byte, error) {
	type plain Schema
	m := map[string]any{}
	b, err := json.Marshal((*plain)(s))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	if s.Optional {
		m["optional"] = 1
	}
	if s.Format != "" {
		m["format"] = s.Format
	} else if s.PropFormat != nil {
		m["format"] = s.PropFormat
	}
	if s.DefaultKey {
		m["default_key"] = 1
	}
	if s.Type == TObject && s.Properties != nil {
		m["additionalProperties"] = Flag(s.Additional)
	}
	return json.Marshal(m)
}

// Flag renders a boolean the way Proxmox does on the wire and in its
// files: 1 or 0. It is the one bool-to-0/1 helper of the code base.
func Flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Names returns the property names sorted.
func (p Props) Names() []string {
	return slices.Sorted(maps.Keys(p))
}

// Clone copies a schema deeply enough that builder calls on the copy do not
// change the original.
func (s *Schema) Clone() *Schema {
	c := *s
	if s.Properties != nil {
		c.Properties = make(Props, len(s.Properties))
		for k, v := range s.Properties {
			c.Properties[k] = v.Clone()
		}
	}
	if s.Items != nil {
		c.Items = s.Items.Clone()
	}
	c.Enum = slices.Clone(s.Enum)
	return &c
}
