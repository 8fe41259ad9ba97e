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
