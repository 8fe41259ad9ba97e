package sectioncfg

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"hostadm/internal/schema"
)

// Write renders the config the way PVE's write_config does: sections in
// order, each as its header, then `comment`, then a bare `disable` when
// true, then the type's required options sorted, then its optional options
// that are set, sorted, then one empty line. Nothing is written on error.
func (c *Config) Write(w io.Writer) error {
	var b bytes.Buffer
	for _, sec := range c.Sections {
		if err := c.writeSection(&b, sec); err != nil {
			return err
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

func (c *Config) writeSection(b *bytes.Buffer, sec *Section) error {
	opts, ok := c.schema.Types[sec.Type]
	if !ok {
		return fmt.Errorf("unknown section type '%s'", sec.Type)
	}
	if strings.ContainsAny(sec.Type+sec.ID, "\r\n") {
		return fmt.Errorf("section '%s' - header contains a line feed", sec.ID)
	}
	fmt.Fprintf(b, "%s: %s\n", sec.Type, sec.ID)
	if v, _ := sec.Props["comment"].(string); v != "" {
		if err := c.line(b, "comment", v); err != nil {
			return err
		}
	}
	if v, _ := sec.Props["disable"].(bool); v {
		b.WriteString("\tdisable\n")
	}
	keys := sortedKeys(opts)
	for _, k := range keys {
		if k == "comment" || k == "disable" || opts[k].Optional {
			continue
		}
		v, ok := sec.Props[k]
		if !ok {
			return fmt.Errorf("section '%s' - missing value for required option '%s'", sec.ID, k)
		}
		if err := c.line(b, k, v); err != nil {
			return err
		}
	}
	for _, k := range keys {
		v, ok := sec.Props[k]
		if k == "comment" || k == "disable" || !opts[k].Optional || !ok {
			continue
		}
		if err := c.line(b, k, v); err != nil {
			return err
		}
	}
	b.WriteString("\n")
	return nil
}

// line writes one property: booleans as 1/0, arrays one line per element,
// empty strings not at all.
func (c *Config) line(b *bytes.Buffer, k string, v any) error {
	list, err := texts(v)
	if err != nil {
		return fmt.Errorf("property '%s': %w", k, err)
	}
	if ps := c.schema.Properties[k]; ps != nil && ps.Type != schema.TArray && len(list) != 1 {
		return fmt.Errorf("property '%s': expected one value, got %d", k, len(list))
	}
	for _, t := range list {
		if strings.ContainsAny(k, "\r\n") || strings.ContainsAny(t, "\r\n") {
			return fmt.Errorf("property '%s' contains a line feed", k)
		}
		if err := checkText(t); err != nil {
			return fmt.Errorf("property '%s': %w", k, err)
		}
		if t != "" {
			fmt.Fprintf(b, "\t%s %s\n", k, t)
		}
	}
	return nil
}
