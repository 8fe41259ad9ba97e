package vmconf

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/hostcfg/golden"
)

func parse(t testing.TB, b []byte) *Config {
	t.Helper()
	c, err := Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// edit is what the golden files record: the changes the API makes.
func edit(c *Config) {
	c.Set("memory", "128")
	c.Set("onboot", "0")
	c.Set("balloon", "64")
	c.Delete("name")
	c.Set("description-free", "x") // an unknown key lands sorted
	c.Delete("description-free")
	c.SetDescription("Edited by hostadm: 100% sure\nsecond line")
}

func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.conf")
	if len(files) < 4 {
		t.Fatalf("found %d test configs", len(files))
	}
	for _, in := range files {
		t.Run(filepath.Base(in), func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			c := parse(t, src)
			if got := c.Bytes(); !bytes.Equal(got, src) {
				t.Fatalf("untouched round trip differs:\n%s\nwant:\n%s", got, src)
			}
			edit(c)
			if err := c.Validate(); err != nil {
				t.Fatal(err)
			}
			got := c.Bytes()
			want := golden.File(t, strings.TrimSuffix(in, ".conf")+".golden", got)
			// Idempotence: the golden file parsed and written again, and the
			// same edits applied again, change nothing.
			again := parse(t, want)
			if b := again.Bytes(); !bytes.Equal(b, want) {
				t.Errorf("golden does not round-trip:\n%s", b)
			}
			edit(again)
			if b := again.Bytes(); !bytes.Equal(b, want) {
				t.Errorf("second edit changed the file:\n%s", b)
			}
		})
	}
}

func TestModel(t *testing.T) {
	src, err := os.ReadFile("testdata/debian-web.conf")
	if err != nil {
		t.Fatal(err)
	}
	c := parse(t, src)
	if got := c.Description(); got != "Web server for the shop: nginx + php-fpm\nOwner: ops team, ticket 4711\n" {
		t.Errorf("description %q", got)
	}
	if v, _ := c.Get("startup"); v != "order=2,up=30,down=60" {
		t.Errorf("startup %q", v)
	}
	if got := c.SnapshotNames(); len(got) != 1 || got[0] != "before-upgrade" {
		t.Errorf("snapshots %v", got)
	}
	if v := c.Snapshot("before-upgrade").Values()["memory"]; v != "2048" {
		t.Errorf("snapshot memory %q", v)
	}
	if v, _ := c.Get("memory"); v != "4096" {
		t.Errorf("memory %q (snapshot value leaked into the main section?)", v)
	}
	odd := parse(t, mustRead(t, "testdata/cloudinit-odd.conf"))
	if len(odd.Warnings) != 1 || !strings.Contains(odd.Warnings[0], "this line is not a key") {
		t.Errorf("warnings %v", odd.Warnings)
	}
	if v, ok := odd.Get("x-custom-tool"); !ok || v != "keep me" {
		t.Errorf("unknown key lost: %q %v", v, ok)
	}
	p := parse(t, mustRead(t, "testdata/windows-pending.conf"))
	if pend := p.Snapshot("PENDING"); pend == nil || pend.Values()["delete"] != "vga" {
		t.Errorf("pending section lost")
	}
	if len(p.SnapshotNames()) != 0 {
		t.Errorf("PENDING counted as a snapshot: %v", p.SnapshotNames())
	}
}

func TestValidate(t *testing.T) {
	for name, c := range map[string]*Config{
		"newline": {Main: Section{Lines: []Line{{Key: "name", Value: "a\nb"}}}},
		"bad key": {Main: Section{Lines: []Line{{Key: "Name", Value: "a"}}}},
		"dup":     {Main: Section{Lines: []Line{{Key: "name", Value: "a", Raw: "name: a"}, {Key: "name", Value: "b", Raw: "name: b"}}}},
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("%s: Validate passed", name)
		}
	}
	c := parse(t, []byte("name: a\nname: b\n"))
	if v, _ := c.Get("name"); v != "b" {
		t.Errorf("last duplicate should win, got %q", v)
	}
	c.Set("name", "c")
	if err := c.Validate(); err != nil || string(c.Bytes()) != "name: c\n" {
		t.Errorf("Set did not fold duplicates: %q %v", c.Bytes(), err)
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.conf")
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	f.Add([]byte("[x]\n#c\nk: v\n\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := Parse(bytes.NewReader(in))
		if err != nil {
			return
		}
		out := c.Bytes()
		// Everything Parse read comes back; the only change allowed is a
		// final newline and \r\n read as \n by the line scanner.
		norm := strings.ReplaceAll(string(in), "\r\n", "\n")
		norm = strings.ReplaceAll(norm, "\r", "\n")
		if len(norm) > 0 && !strings.HasSuffix(norm, "\n") {
			norm += "\n"
		}
		if string(out) != norm && !strings.Contains(string(in), "\r") {
			t.Fatalf("round trip:\n%q\n%q", in, out)
		}
		c2, err := Parse(bytes.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		c2.Set("memory", "64")
		c2.SetDescription(c.Description())
		out2 := c2.Bytes()
		c3, err := Parse(bytes.NewReader(out2))
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := c3.Get("memory"); v != "64" {
			t.Fatalf("memory after Set: %q in\n%s", v, out2)
		}
		if !bytes.Equal(c3.Bytes(), out2) {
			t.Fatalf("not idempotent")
		}
	})
}
