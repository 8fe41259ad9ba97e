package sectioncfg

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseWarnings(t *testing.T) {
	tests := []struct {
		name  string
		s     *Schema
		in    string
		ids   []string
		warns []string
	}{
		{"unknown type", storageSchema(), "nfs: n1\n\tserver x\n\ndir: dd\n\tpath /d\n",
			[]string{"dd"}, []string{"line 1 (skip section 'n1'): unsupported type 'nfs'"}},
		{"unknown key", storageSchema(), "dir: dd\n\tpath /d\n\tpool tank\n",
			[]string{"dd"}, []string{"line 3 (section 'dd') - unable to parse value of 'pool': unexpected property 'pool'"}},
		{"bad value", statusSchema(), "influxdb: ii\n\tserver s.example\n\tport 0\n\tport 8086\n",
			[]string{"ii"}, []string{"line 3 (section 'ii') - unable to parse value of 'port': value must have a minimum value of 1"}},
		{"duplicate key", storageSchema(), "dir: dd\n\tpath /d\n\tpath /e\n",
			[]string{"dd"}, []string{"line 3 (section 'dd') - unable to parse value of 'path': duplicate attribute"}},
		{"key without value", storageSchema(), "dir: dd\n\tpath\n\tpath /d\n",
			[]string{"dd"}, []string{"line 2 (section 'dd') - unable to parse value of 'path': got undefined value"}},
		{"non-indented line in section", storageSchema(), "dir: dd\n\tpath /d\ndir: ee\n\tcontent iso\n",
			[]string{"dd"}, []string{"line 3 (section 'dd') - ignore config line: dir: ee"}},
		{"stray top-level line", storageSchema(), "garbage\n\ndir: dd\n\tpath /d\n",
			[]string{"dd"}, []string{"line 1 - ignore config line: garbage"}},
		{"bad id", storageSchema(), "dir: 1bad\n\tpath /d\n",
			nil, []string{"line 1 (skip section '1bad'): storage ID '1bad' contains illegal characters"}},
		{"missing required", storageSchema(), "dir: dd\n\tcontent iso\n",
			nil, []string{"line 1 (skip section 'dd'): missing value for required option 'path'"}},
		{"status bad id", statusSchema(), "graphite: my.server\n\tserver x\n",
			nil, []string{"line 1 (skip section 'my.server'): invalid configuration ID 'my.server'"}},
		{"carriage return in value", mixedSchema(), "a: xx\n\tdata a\rb\n\tdata ok\r\n",
			[]string{"xx"}, []string{"line 2 (section 'xx') - unable to parse value of 'data': property contains a line feed"}},
		{"duplicate section", storageSchema(), "dir: dd\n\tpath /d\n\ndir: ee\n\tpath /e\n\ndir: dd\n\tpath /f\n",
			[]string{"ee", "dd"}, []string{"line 7 (section 'dd') - duplicate section, the earlier one is dropped"}},
		{"comments and type line", storageSchema(), "# top\n  # indented\ndir: dd\n# inside\n\ttype dir\n\tpath /d\n",
			[]string{"dd"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, warns, err := Parse(strings.NewReader(tt.in), tt.s)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, w := range warns {
				got = append(got, w.String())
			}
			if diff := cmp.Diff(tt.warns, got); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.ids, cfg.IDs(), cmpEmpty); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}
}

var cmpEmpty = cmp.FilterValues(func(a, b []string) bool { return len(a) == 0 && len(b) == 0 },
	cmp.Comparer(func(_, _ []string) bool { return true }))

func TestParseValues(t *testing.T) {
	in := "a: xx\n\tdata  hello  world  \n\tdisable\n\tn -3\n\tf 2.5\n\ttags t1\n\ttags t2\n\tports 22\n"
	cfg, warns, err := Parse(strings.NewReader(in), mixedSchema())
	if err != nil || len(warns) != 0 {
		t.Fatal(err, warns)
	}
	sec := cfg.Section("xx")
	want := map[string]any{"data": "hello  world", "disable": true, "n": int64(-3), "f": 2.5,
		"tags": []string{"t1", "t2"}, "ports": []string{"22"}}
	if diff := cmp.Diff(want, sec.Props); diff != "" {
		t.Errorf("props (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"data", "disable", "n", "f", "tags", "ports"}, sec.Keys()); diff != "" {
		t.Errorf("key order (-want +got):\n%s", diff)
	}
	if cfg.Section("nope") != nil {
		t.Error("lookup of a missing id found something")
	}
}

func TestDigest(t *testing.T) {
	cfg, _, _ := Parse(strings.NewReader(""), storageSchema())
	if cfg.Digest != "da39a3ee5e6b4b0d3255bfef95601890afd80709" {
		t.Errorf("digest of empty file = %s", cfg.Digest)
	}
}
