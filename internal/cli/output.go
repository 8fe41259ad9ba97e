package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"hostadm/internal/schema"
)

// printer renders API results like Proxmox's CLI: raw JSON, pretty JSON, or
// text (tables for lists of objects and for objects, plain scalars).
type printer struct {
	w        io.Writer
	format   string
	noBorder bool
	noHeader bool
}

func newPrinter(w io.Writer, g globalFlags) *printer {
	return &printer{w: w, format: g.OutputFormat, noBorder: g.NoBorder, noHeader: g.NoHeader}
}

// print renders data; columns, when given, fix the order of table columns
// (else the return schema's properties, else the keys found, sorted).
func (p *printer) print(data any, returns *schema.Schema, columns []string) error {
	switch p.format {
	case "json":
		b, err := json.Marshal(data)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(p.w, "%s\n", b)
		return err
	case "json-pretty":
		b, err := json.MarshalIndent(data, "", "   ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(p.w, "%s\n", b)
		return err
	}
	switch v := data.(type) {
	case nil:
		return nil
	case []any:
		return p.list(v, returns, columns)
	case map[string]any:
		return p.object(v)
	default:
		_, err := fmt.Fprintln(p.w, text(v))
		return err
	}
}

func (p *printer) list(items []any, returns *schema.Schema, columns []string) error {
	if len(columns) == 0 && returns != nil && returns.Items != nil && len(returns.Items.Properties) > 0 {
		columns = returns.Items.Properties.Names()
	}
	if len(columns) == 0 {
		seen := map[string]bool{}
		for _, it := range items {
			if m, ok := it.(map[string]any); ok {
				for k := range m {
					seen[k] = true
				}
			}
		}
		for k := range seen {
			columns = append(columns, k)
		}
		sort.Strings(columns)
	}
	if len(columns) == 0 {
		for _, it := range items {
			fmt.Fprintln(p.w, text(it))
		}
		return nil
	}
	rows := make([][]string, 0, len(items))
	for _, it := range items {
		m, _ := it.(map[string]any)
		row := make([]string, len(columns))
		for i, c := range columns {
			if v, ok := m[c]; ok {
				row[i] = text(v)
			}
		}
		rows = append(rows, row)
	}
	p.table(columns, rows)
	return nil
}

func (p *printer) object(m map[string]any) error {
	keys := slices.Sorted(maps.Keys(m))
	rows := make([][]string, 0, len(keys))
	for _, k := range keys {
		rows = append(rows, []string{k, text(m[k])})
	}
	p.table([]string{"key", "value"}, rows)
	return nil
}

// text is a value as a table cell: nested values as JSON.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case map[string]any, []any:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return fmt.Sprint(v)
}

// table draws Proxmox's box tables (or plain columns with --noborder).
func (p *printer) table(header []string, rows [][]string) {
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = utf8.RuneCountInString(h)
	}
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	line := func(l, m, r, fill string) string {
		parts := make([]string, len(widths))
		for i, w := range widths {
			parts[i] = strings.Repeat(fill, w+2)
		}
		return l + strings.Join(parts, m) + r + "\n"
	}
	cells := func(r []string) string {
		parts := make([]string, len(r))
		for i, c := range r {
			parts[i] = c + strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
		}
		if p.noBorder {
			return strings.TrimRight(strings.Join(parts, " "), " ") + "\n"
		}
		return "│ " + strings.Join(parts, " │ ") + " │\n"
	}
	var b strings.Builder
	if !p.noBorder {
		b.WriteString(line("┌", "┬", "┐", "─"))
	}
	if !p.noHeader {
		b.WriteString(cells(header))
		if !p.noBorder {
			b.WriteString(line("╞", "╪", "╡", "═"))
		}
	}
	for i, r := range rows {
		b.WriteString(cells(r))
		if !p.noBorder && i < len(rows)-1 {
			b.WriteString(line("├", "┼", "┤", "─"))
		}
	}
	if !p.noBorder {
		b.WriteString(line("└", "┴", "┘", "─"))
	}
	io.WriteString(p.w, b.String())
}
