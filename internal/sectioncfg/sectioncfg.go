// Package sectioncfg reads and writes Proxmox VE's section-config files
// (status.cfg, storage.cfg, priv/acme/plugins.cfg) the way PVE's
// SectionConfig.pm does, and builds the API schemas and the create, update
// and delete operations on top of them. It is a pure codec: callers do the
// locking, reading and atomic writing.
package sectioncfg

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"hostadm/internal/schema"
)

// Schema describes one section-config file: a global property list and,
// per section type, which of those properties the type accepts.
type Schema struct {
	// What names a section in messages, e.g. "storage" gives
	// "storage ID 'x' already defined" and "storage 'x' does not exist".
	What string
	// IDProperty is the API parameter carrying the section id ("storage",
	// "id"). CreateSchema and UpdateSchema add it when Properties lacks it.
	IDProperty string
	// IDFormat is the named schema format a section id must have (e.g.
	// "pve-storage-id"); empty means any id without white space.
	IDFormat string
	// Properties is the global property list. Optional marks a property
	// optional everywhere; a non-optional one is required on create and on
	// update. It may also hold "type" and the id property for the API.
	Properties schema.Props
	// Types maps each section type to the properties it accepts.
	Types map[string]Options
	// ParseHeader overrides the section header rule; nil means DefaultHeader.
	ParseHeader HeaderFunc
}

// Options says which global properties one section type accepts.
type Options map[string]Option

// Option is one property of a section type.
type Option struct {
	Optional bool // the type may leave it unset
	Fixed    bool // set on create, never changed by an update
}

// HeaderFunc recognises a section header line. ok is false when the line is
// no header; a non-nil err skips the section (its lines are consumed).
type HeaderFunc func(line string) (typ, id string, ok bool, err error)

// Errors the API maps to statuses; the messages are wrapped around them.
var (
	ErrNotFound = errors.New("section not found")
	ErrExists   = errors.New("section already defined")
)

// TypeNames returns the section types, sorted.
func (s *Schema) TypeNames() []string { return slices.Sorted(maps.Keys(s.Types)) }

// Config is a parsed file: its sections in file order and the digest of
// the bytes it was read from.
type Config struct {
	Sections []*Section
	Digest   string // SHA-1 hex of the raw file; "" for a new config
	schema   *Schema
}

// New returns an empty config for s.
func New(s *Schema) *Config { return &Config{schema: s} }

// Section is one `<type>: <id>` block. Props hold typed values: string,
// int64, float64, bool, or []string for array properties.
type Section struct {
	Type, ID string
	Props    map[string]any
	keyOrder []string // keys in the order they were first set
}

// Keys returns the property keys in the order they were read or set. The
// writer does not use it (PVE sorts); it is there for display.
func (s *Section) Keys() []string { return slices.Clone(s.keyOrder) }

func (s *Section) set(k string, v any) {
	if _, ok := s.Props[k]; !ok {
		s.keyOrder = append(s.keyOrder, k)
	}
	s.Props[k] = v
}

func (s *Section) unset(k string) {
	delete(s.Props, k)
	s.keyOrder = slices.DeleteFunc(s.keyOrder, func(x string) bool { return x == k })
}

// Section returns the section with the given id, or nil. Files hold a few
// dozen sections at most, so a scan is fine.
func (c *Config) Section(id string) *Section {
	if i := c.index(id); i >= 0 {
		return c.Sections[i]
	}
	return nil
}

// IDs returns the section ids in file order.
func (c *Config) IDs() []string {
	ids := make([]string, len(c.Sections))
	for i, s := range c.Sections {
		ids[i] = s.ID
	}
	return ids
}

func (c *Config) index(id string) int {
	return slices.IndexFunc(c.Sections, func(s *Section) bool { return s.ID == id })
}

// Delete removes a section.
func (c *Config) Delete(id string) error {
	i := c.index(id)
	if i < 0 {
		return c.notFound(id)
	}
	c.Sections = slices.Delete(c.Sections, i, i+1)
	return nil
}

func (c *Config) notFound(id string) error {
	return &kindError{fmt.Sprintf("%s '%s' does not exist", c.schema.What, id), ErrNotFound}
}

// kindError keeps PVE's exact message while errors.Is still finds the kind.
type kindError struct {
	msg  string
	kind error
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }

// Warning is a tolerated oddity found while parsing, worded like PVE's.
type Warning struct {
	Line int
	Msg  string // e.g. "(section 'x') - ignore config line: foo"
}

func (w Warning) String() string { return fmt.Sprintf("line %d %s", w.Line, w.Msg) }
