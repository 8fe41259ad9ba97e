package zfs

import (
	"encoding/json"
	"testing"
)

func FuzzParseStatus(f *testing.F) {
	f.Add([]byte("  pool: p\n state: ONLINE\nconfig:\n\n\tNAME STATE READ WRITE CKSUM\n\tp ONLINE 0 0 0\n\t  /dev/a ONLINE 0 0 0\n\nerrors: none\n"))
	f.Add([]byte("\t\t\t\tx\n\ty\nconfig:\n\t x y 1 2 3 m\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		st := ParseStatus(b)
		if _, err := json.Marshal(st); err != nil {
			t.Fatal(err)
		}
		ParseList(b)
		ParseMembers(b)
	})
}

func FuzzParseDatasets(f *testing.F) {
	f.Add([]byte("tank\tfilesystem\t1\t2\t3\t/tank\tlz4\t0\toff\tnone\tnone\t-\t-\tyes\n"))
	f.Add([]byte("feature@x\tenabled\nfeature@\t\n\t\t\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, d := range ParseDatasets(b) {
			if d.Name == "" {
				t.Fatal("dataset without a name")
			}
		}
		ParseFeatures(b)
		for _, s := range []string{"passphrase", "hex", "raw"} {
			if in, err := KeyInput(s, string(b)); err == nil && s == "raw" && len(in) != 32 {
				t.Fatalf("raw key of %d bytes", len(in))
			}
		}
		ParseSmallBlocks(string(b))
	})
}
