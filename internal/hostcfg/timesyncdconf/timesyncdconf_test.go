package timesyncdconf

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"hostadm/internal/hostcfg/golden"
)

// TestGolden sets two servers in each input; the other lines stay.
func TestGolden(t *testing.T) {
	golden.Run(t, func(in []byte) ([]byte, error) {
		f, err := Parse(bytes.NewReader(in))
		if err != nil {
			return nil, err
		}
		f.SetNTP([]string{"ntp1.example.com", "192.0.2.123"})
		var out bytes.Buffer
		err = f.Write(&out)
		return out.Bytes(), err
	})
}

func TestNTP(t *testing.T) {
	f, _ := Parse(strings.NewReader("[Match]\nNTP=wrong\n[Time]\nNTP=a b\n#NTP=c\nNTP=d e\n"))
	if got := f.NTP(); !slices.Equal(got, []string{"d", "e"}) {
		t.Errorf("NTP %v", got)
	}
}

func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("[Time]\nNTP=a\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		p, _ := Parse(bytes.NewReader(in))
		var out bytes.Buffer
		if p.Write(&out) == nil && !bytes.Equal(out.Bytes(), in) {
			t.Fatalf("%q -> %q", in, out.Bytes())
		}
	})
}
