package sectioncfg

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"hostadm/internal/host"
	"hostadm/internal/schema"
)

var reID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^` + nonWS + `+$`) })

// checkID validates a section id: the schema's format if it has one, and
// always a single word, so the header reads back.
func checkID(format, id string) error {
	if !reID().MatchString(id) {
		return fmt.Errorf("invalid section ID '%s'", id)
	}
	if format != "" {
		if msg := schema.CheckFormat(format, id); msg != "" {
			return errors.New(strings.TrimRight(msg, "\n"))
		}
	}
	return nil
}

// CreateSchema is PVE's createSchema: every property of the global list,
// required when the list says so or when every type that exists marks it
// non-optional, plus a required `type` and the id property.
func CreateSchema(s *Schema) *schema.Schema {
	props := schema.Props{}
	for name, p := range s.Properties {
		c := p.Clone()
		if c.Optional && s.requiredEverywhere(name) {
			c.Optional = false
		}
		props[name] = c
	}
	if _, ok := props["type"]; !ok {
		props["type"] = schema.Str("Section type.").OneOf(s.TypeNames()...)
	}
	s.addID(props)
	return schema.Obj(props)
}

// UpdateSchema is PVE's updateSchema: the globally required properties
// (they stay required on update), the optional ones some type may change
// (not fixed), plus `digest` and `delete`.
func UpdateSchema(s *Schema) *schema.Schema {
	props := schema.Props{}
	for name, p := range s.Properties {
		if name != "type" && (!p.Optional || s.modifiable(name)) {
			props[name] = p.Clone()
		}
	}
	s.addID(props)
	props["digest"] = schema.Str("Prevent changes if current configuration file has a different digest. " +
		"This can be used to prevent concurrent modifications.").MaxLen(64).Opt()
	props["delete"] = schema.Str("A list of settings you want to delete.").
		Fmt("pve-configid-list").MaxLen(4096).Opt()
	return schema.Obj(props)
}

func (s *Schema) addID(props schema.Props) {
	if s.IDProperty == "" {
		return
	}
	if _, ok := props[s.IDProperty]; !ok {
		props[s.IDProperty] = schema.Str("The " + s.What + " ID.").Fmt(s.IDFormat)
	}
}

func (s *Schema) requiredEverywhere(name string) bool {
	for _, opts := range s.Types {
		if o, ok := opts[name]; !ok || o.Optional {
			return false
		}
	}
	return len(s.Types) > 0
}

func (s *Schema) modifiable(name string) bool {
	for _, opts := range s.Types {
		if o, ok := opts[name]; ok && !o.Fixed {
			return true
		}
	}
	return false
}

// Create appends a new section. values holds section properties only (not
// the type, id, digest or delete parameters).
func (c *Config) Create(typ, id string, values map[string]any) error {
	opts, ok := c.schema.Types[typ]
	if !ok {
		return fmt.Errorf("unknown section type '%s'", typ)
	}
	if err := checkID(c.schema.IDFormat, id); err != nil {
		return err
	}
	if c.Section(id) != nil {
		return &kindError{fmt.Sprintf("%s ID '%s' already defined", c.schema.What, id), ErrExists}
	}
	sec := &Section{Type: typ, ID: id, Props: map[string]any{}}
	for _, k := range sortedKeys(values) {
		if values[k] == nil {
			continue
		}
		v, err := c.schema.apiValue(opts, k, values[k])
		if err != nil {
			return err
		}
		sec.set(k, v)
	}
	if k := missingRequired(opts, sec.Props); k != "" {
		return fmt.Errorf("missing value for required option '%s'", k)
	}
	c.Sections = append(c.Sections, sec)
	return nil
}

// Update changes a section as PVE's update endpoints do: the digest first,
// then the values (fixed ones refused), then the delete list. Nothing
// changes on error.
func (c *Config) Update(id string, values map[string]any, del []string, digest string) error {
	if err := host.CheckDigest(c.Digest, digest); err != nil {
		return err
	}
	sec := c.Section(id)
	if sec == nil {
		return c.notFound(id)
	}
	opts := c.schema.Types[sec.Type]
	set := map[string]any{}
	for _, k := range sortedKeys(values) {
		if values[k] == nil {
			continue
		}
		if opts[k].Fixed {
			return fmt.Errorf("can't change value of fixed parameter '%s'", k)
		}
		v, err := c.schema.apiValue(opts, k, values[k])
		if err != nil {
			return err
		}
		set[k] = v
	}
	if err := checkDelete(opts, set, del); err != nil {
		return err
	}
	for _, k := range sortedKeys(set) {
		sec.set(k, set[k])
	}
	for _, k := range del {
		sec.unset(k)
	}
	return nil
}

// checkDelete applies PVE's delete_from_config rules, in its order.
func checkDelete(opts Options, set map[string]any, del []string) error {
	for _, k := range del {
		o, ok := opts[k]
		switch {
		case !ok:
			return fmt.Errorf("no such option '%s'", k)
		case !o.Optional:
			return fmt.Errorf("unable to delete required option '%s'", k)
		case o.Fixed:
			return fmt.Errorf("unable to delete fixed option '%s'", k)
		}
		if _, ok := set[k]; ok {
			return fmt.Errorf("cannot set and delete property '%s' at the same time!", k)
		}
	}
	return nil
}

// Clone copies the config deeply, so a failed multi-step change can be
// dropped without touching the original.
func (c *Config) Clone() *Config {
	out := &Config{Digest: c.Digest, schema: c.schema, Sections: make([]*Section, len(c.Sections))}
	for i, s := range c.Sections {
		p := make(map[string]any, len(s.Props))
		for k, v := range s.Props {
			if l, ok := v.([]string); ok {
				v = slices.Clone(l)
			}
			p[k] = v
		}
		out.Sections[i] = &Section{Type: s.Type, ID: s.ID, Props: p, keyOrder: slices.Clone(s.keyOrder)}
	}
	return out
}
