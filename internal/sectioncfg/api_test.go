package sectioncfg

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"hostadm/internal/host"
)

func parseStorage(t *testing.T) *Config {
	t.Helper()
	in := "dir: local\n\tpath /var/lib/vz\n\tcontent iso\n\nlvm: vg1\n\tvgname vg1\n\tbase base-vol\n\tshared 1\n"
	cfg, warns, err := Parse(strings.NewReader(in), storageSchema())
	if err != nil || len(warns) != 0 {
		t.Fatal(err, warns)
	}
	return cfg
}

func TestUpdateErrors(t *testing.T) {
	tests := []struct {
		name   string
		id     string
		values map[string]any
		del    []string
		digest string
		want   string
	}{
		{"digest", "local", nil, nil, "0000000000000000000000000000000000000000", host.ErrDigestMismatch.Error()},
		{"no such section", "nope", nil, nil, "", "storage 'nope' does not exist"},
		{"delete required", "vg1", nil, []string{"vgname"}, "", "unable to delete required option 'vgname'"},
		{"delete fixed", "vg1", nil, []string{"base"}, "", "unable to delete fixed option 'base'"},
		{"delete unknown", "local", nil, []string{"pool"}, "", "no such option 'pool'"},
		{"set and delete", "local", map[string]any{"content": "images"}, []string{"content"}, "",
			"cannot set and delete property 'content' at the same time!"},
		{"change fixed", "local", map[string]any{"path": "/srv"}, nil, "", "can't change value of fixed parameter 'path'"},
		{"unexpected", "local", map[string]any{"pool": "tank"}, nil, "", "unexpected property 'pool'"},
		{"bad value", "local", map[string]any{"max-protected-backups": "x"}, nil, "",
			"property 'max-protected-backups': type check ('integer') failed - got 'x'"},
		{"line feed", "local", map[string]any{"content": "iso\nrootdir"}, nil, "",
			"property 'content': property contains a line feed"},
		{"control character", "local", map[string]any{"content": "iso\x01"}, nil, "",
			"property 'content': property contains a control character (0x01)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := parseStorage(t)
			before := cfg.Clone()
			err := cfg.Update(tt.id, tt.values, tt.del, tt.digest)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if diff := cmp.Diff(before.Sections, cfg.Sections, cmp.AllowUnexported(Section{})); diff != "" {
				t.Errorf("config changed on error:\n%s", diff)
			}
		})
	}
}

func TestErrorKinds(t *testing.T) {
	cfg := parseStorage(t)
	if err := cfg.Update("local", nil, nil, "abc"); !errors.Is(err, host.ErrDigestMismatch) {
		t.Errorf("digest: %v", err)
	}
	if err := cfg.Update("nope", nil, nil, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("update missing: %v", err)
	}
	if err := cfg.Delete("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("delete missing: %v", err)
	}
	err := cfg.Create("dir", "local", map[string]any{"path": "/x"})
	if !errors.Is(err, ErrExists) || err.Error() != "storage ID 'local' already defined" {
		t.Errorf("create duplicate: %v", err)
	}
}

func TestCreateErrors(t *testing.T) {
	tests := []struct {
		name, typ, id string
		values        map[string]any
		want          string
	}{
		{"unknown type", "nfs", "n1", nil, "unknown section type 'nfs'"},
		{"bad id", "dir", "1x", map[string]any{"path": "/x"}, "storage ID '1x' contains illegal characters"},
		{"missing required", "dir", "d1", map[string]any{"content": "iso"}, "missing value for required option 'path'"},
		{"unexpected", "dir", "d1", map[string]any{"path": "/x", "pool": "p"}, "unexpected property 'pool'"},
		{"line feed", "dir", "d1", map[string]any{"path": "/x\r"}, "property 'path': property contains a line feed"},
		{"NUL", "dir", "d1", map[string]any{"path": "/x\x00y"}, "property 'path': property contains a control character (0x00)"},
		{"escape", "dir", "d1", map[string]any{"path": "/x", "content": "iso\x1b[2J"},
			"property 'content': property contains a control character (0x1b)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := parseStorage(t)
			if err := cfg.Create(tt.typ, tt.id, tt.values); err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if len(cfg.Sections) != 2 {
				t.Error("section added on error")
			}
		})
	}
}

func TestCreateUpdateDeleteWrite(t *testing.T) {
	cfg := parseStorage(t)
	if err := cfg.Create("zfspool", "tank", map[string]any{"pool": "tank/vm", "sparse": true, "content": "images"}); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Update("local", map[string]any{"max-protected-backups": int64(5), "disable": true},
		[]string{"content"}, cfg.Digest); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Update("vg1", nil, []string{"shared"}, ""); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Delete("vg1"); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := cfg.Write(&b); err != nil {
		t.Fatal(err)
	}
	want := "dir: local\n\tdisable\n\tpath /var/lib/vz\n\tmax-protected-backups 5\n\n" +
		"zfspool: tank\n\tpool tank/vm\n\tcontent images\n\tsparse 1\n\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("written (-want +got):\n%s", diff)
	}
}

func TestWriteRejectsLineFeeds(t *testing.T) {
	for _, tt := range []struct{ name, id, key, val string }{
		{"value LF", "local", "content", "iso\nimages"},
		{"value CR", "local", "content", "iso\r"},
		{"id", "lo\ncal", "content", "iso"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := parseStorage(t)
			cfg.Sections[0].ID = tt.id
			cfg.Sections[0].Props[tt.key] = tt.val
			var b bytes.Buffer
			if err := cfg.Write(&b); err == nil || !strings.Contains(err.Error(), "line feed") {
				t.Fatalf("err = %v", err)
			}
			if b.Len() != 0 {
				t.Error("partial output written")
			}
		})
	}
}

func TestWriteMissingRequired(t *testing.T) {
	cfg := parseStorage(t)
	delete(cfg.Sections[0].Props, "path")
	err := cfg.Write(&bytes.Buffer{})
	if err == nil || err.Error() != "section 'local' - missing value for required option 'path'" {
		t.Fatalf("err = %v", err)
	}
}

func TestCreateSchema(t *testing.T) {
	s := CreateSchema(statusSchema())
	p := s.Properties
	for name, wantOpt := range map[string]bool{"server": false, "port": false, "type": false, "id": false,
		"mtu": true, "path": true, "disable": true} {
		if p[name] == nil || p[name].Optional != wantOpt {
			t.Errorf("%s: got %+v, want optional=%v", name, p[name], wantOpt)
		}
	}
	if diff := cmp.Diff([]string{"graphite", "influxdb"}, p["type"].Enum); diff != "" {
		t.Error(diff)
	}
	// A property every type requires becomes required although the global list says optional.
	st := storageSchema()
	st.Properties["content"].Optional = true
	for _, o := range st.Types {
		o["content"] = Option{}
	}
	if CreateSchema(st).Properties["content"].Optional {
		t.Error("content should be required on create")
	}
	if !st.Properties["content"].Optional {
		t.Error("CreateSchema changed the schema it was given")
	}
}

func TestUpdateSchema(t *testing.T) {
	p := UpdateSchema(storageSchema()).Properties
	for _, name := range []string{"path", "vgname", "thinpool", "pool", "base", "type"} {
		if p[name] != nil {
			t.Errorf("%s (fixed everywhere) is in the update schema", name)
		}
	}
	for _, name := range []string{"content", "nodes", "sparse", "digest", "delete"} {
		if p[name] == nil || !p[name].Optional {
			t.Errorf("%s: got %+v, want optional", name, p[name])
		}
	}
	if p["storage"] == nil || p["storage"].Optional {
		t.Errorf("storage id: %+v", p["storage"])
	}
	sp := UpdateSchema(statusSchema()).Properties
	if sp["server"] == nil || sp["server"].Optional || sp["port"] == nil || sp["port"].Optional {
		t.Error("server and port must stay required on update")
	}
}

// TestControlCharacters: no value with a byte below 0x20 other than TAB
// is taken from a request, read from a file or written; TAB is a value's
// own character.
func TestControlCharacters(t *testing.T) {
	cfg := parseStorage(t)
	if err := cfg.Create("dir", "tabbed", map[string]any{"path": "/x\ty"}); err != nil {
		t.Errorf("TAB refused: %v", err)
	}
	cfg.Sections[0].Props["content"] = "iso\x00"
	var b bytes.Buffer
	if err := cfg.Write(&b); err == nil || err.Error() != "property 'content': property contains a control character (0x00)" {
		t.Errorf("write: %v", err)
	}
	if b.Len() != 0 {
		t.Error("partial output written")
	}
	in := "a: xx\n\tdata a\x07b\n\tdata ok\n"
	got, warns, err := Parse(strings.NewReader(in), mixedSchema())
	want := []Warning{{Line: 2, Msg: "(section 'xx') - unable to parse value of 'data': property contains a control character (0x07)"}}
	if err != nil || !cmp.Equal(warns, want) || len(got.Sections) != 1 {
		t.Errorf("parse: %v %v %v", err, warns, got.Sections)
	}
}
