package tasks

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// indexRE is FORMATS §2.4's line pattern, the reference for parseIndexLine.
var indexRE = regexp.MustCompile(`^(\S+)(\s([0-9A-Za-z]{8})(\s(\S.*))?)?$`)

const upidA = "UPID:pve:0000C346:165A0CE4:68D7279C:aptupdate::root@pam:"

func TestParseIndexLine(t *testing.T) {
	tests := []struct {
		name   string
		line   string
		ok     bool
		end    int64
		status string
	}{
		{"ok", upidA + " 68D727A0 OK", true, 0x68D727A0, "OK"},
		{"error with spaces", upidA + " 68D727A0 command 'x' failed: exit code 1", true, 0x68D727A0, "command 'x' failed: exit code 1"},
		{"no status", upidA + " 68D727A0", true, 0x68D727A0, ""},
		{"upid only", upidA, true, 0, ""},
		{"non-hex end time like Perl hex", upidA + " 0000001Z OK", true, 1, "OK"},
		{"status starting with space", upidA + " 68D727A0  OK", false, 0, ""},
		{"short end time", upidA + " 68D727A OK", false, 0, ""},
		{"bad upid", "UPID:x " + "68D727A0 OK", false, 0, ""},
		{"trailing space", upidA + " ", false, 0, ""},
		{"empty", "", false, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, ok := parseIndexLine(tc.line)
			if ok != tc.ok || e.EndTime != tc.end || e.Status != tc.status {
				t.Fatalf("parseIndexLine = %+v, %v", e, ok)
			}
			if ok && (e.UPID != upidA || e.Type != "aptupdate" || e.User != "root@pam" || !e.Saved) {
				t.Errorf("entry = %+v", e)
			}
		})
	}
}

// FuzzIndexLine checks parseIndexLine against the reference pattern plus
// UPID decoding, and that a parsed line's fields come from the line.
func FuzzIndexLine(f *testing.F) {
	f.Add(upidA + " 68D727A0 OK")
	f.Add(upidA + " 68D727A0  x")
	f.Add(upidA + "\t68D727A0\tWARNINGS: 2")
	f.Add(upidA)
	f.Fuzz(func(t *testing.T, line string) {
		e, ok := parseIndexLine(line)
		m := indexRE.FindStringSubmatch(line)
		want := m != nil && upidRE.MatchString(m[1])
		if ok != want {
			t.Fatalf("parseIndexLine(%q) ok = %v, want %v", line, ok, want)
		}
		if ok && (e.UPID != m[1] || e.Status != m[5] || (m[3] != "" && e.EndTime != hexPrefix(m[3]))) {
			t.Fatalf("parseIndexLine(%q) = %+v, submatches %q", line, e, m)
		}
	})
}

func TestIndexCacheFollowsAppendAndRotation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "index")
	write := func(name, s string) {
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(s)
		f.Close()
	}
	c := indexCache{files: map[fileKey]*cachedFile{}}
	load := func(p string) []Entry {
		c.mu.Lock()
		defer c.mu.Unlock()
		cf, err := c.load(p)
		if err != nil {
			t.Fatal(err)
		}
		var es []Entry
		for i := range cf.recs {
			e := cf.entry(&cf.recs[i])
			if want, _ := parseIndexLine(lineAt(cf, i)); e != want {
				t.Errorf("record %d = %+v, want %+v", i, e, want)
			}
			es = append(es, e)
		}
		return es
	}
	write("index", upidA+" 00000001 OK\n"+upidA+" 00000002 O") // partial last line
	if es := load(path); len(es) != 2 || es[1].Status != "O" {
		t.Fatalf("entries = %+v", es)
	}
	write("index", "K\n"+upidA+" 00000003 boom\n")
	es := load(path)
	if len(es) != 3 || es[1].Status != "OK" || es[2].Status != "boom" {
		t.Fatalf("after append: %+v", es)
	}
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	if es := load(path + ".1"); len(es) != 3 {
		t.Fatalf("after rotation: %+v", es)
	}
	// A rewrite in place that changes the old bytes forces a full parse.
	os.WriteFile(path+".1", []byte(upidA+" 00000009 new\n"+upidA+" 0000000A x\n"+upidA+" 0000000B y\n"), 0o644)
	if es := load(path + ".1"); len(es) != 3 || es[0].Status != "new" {
		t.Fatalf("after rewrite: %+v", es)
	}
}

// lineAt is the line record i was parsed from.
func lineAt(cf *cachedFile, i int) string {
	r := cf.recs[i]
	return cf.chunks[r.chunk][r.off : r.off+r.n]
}

func BenchmarkParseIndexLine(b *testing.B) {
	line := upidA + " 68D727A0 command 'vzdump 100' failed: exit code 2"
	for b.Loop() {
		if _, ok := parseIndexLine(line); !ok {
			b.Fatal("rejected")
		}
	}
}
