package ifaces

import (
	"bytes"
	"fmt"
	"testing"
)

// bridgesFile is a file with n VLAN-numbered bridges, each on its own
// VLAN of eno1 and with an address.
func bridgesFile(n int) []byte {
	var b bytes.Buffer
	b.WriteString("auto lo\niface lo inet loopback\n\niface eno1 inet manual\n\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "auto vmbr%d\niface vmbr%d inet static\n\taddress 10.%d.%d.1/24\n\tbridge-ports eno1.%d\n\tbridge-stp off\n\tbridge-fd 0\n\n",
			i, i, i/256, i%256, i)
	}
	return b.Bytes()
}

// BenchmarkParseWrite4094 parses and writes a file with 4,094 bridges.
func BenchmarkParseWrite4094(b *testing.B) {
	src := bridgesFile(4094)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		cfg, err := Parse(bytes.NewReader(src), nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := cfg.Marshal(Options{IfUpDown2: true}); err != nil {
			b.Fatal(err)
		}
	}
}
