package nodeconf

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkParseLongDescription parses a node config whose description
// is a 16 KB line, as the load test's writers grow it, plus a few keys.
func BenchmarkParseLongDescription(b *testing.B) {
	var marks []string
	for i := 0; len(strings.Join(marks, " ")) < 16<<10; i++ {
		marks = append(marks, fmt.Sprintf("w%d-%d", i%10, i/10))
	}
	c := &Config{Description: strings.Join(marks, " ") + "\n", Values: map[string]string{
		"startall-onboot-delay": "10", "wakeonlan": "mac=aa:bb:cc:dd:ee:ff",
		"acmedomain0": "domain=a.example.com,plugin=p", "ballooning-target": "80"}}
	var src bytes.Buffer
	if err := c.Write(&src); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(src.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(src.Bytes())); err != nil {
			b.Fatal(err)
		}
	}
}
