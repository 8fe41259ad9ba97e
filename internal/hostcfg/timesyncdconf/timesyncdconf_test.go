package timesyncdconf

import (
	"slices"
	"strings"
	"testing"

	"hostadm/internal/hostcfg/golden"
)

// TestGolden sets two servers in each input; the other lines stay.
func TestGolden(t *testing.T) {
	golden.RunEdit(t, Parse, func(f *File) error {
		f.SetNTP([]string{"ntp1.example.com", "192.0.2.123"})
		return nil
	})
}

func TestNTP(t *testing.T) {
	f, _ := Parse(strings.NewReader("[Match]\nNTP=wrong\n[Time]\nNTP=a b\n#NTP=c\nNTP=d e\n"))
	if got := f.NTP(); !slices.Equal(got, []string{"d", "e"}) {
		t.Errorf("NTP %v", got)
	}
}

func FuzzRoundTrip(f *testing.F) { golden.FuzzRoundTrip(f, Parse, "[Time]\nNTP=a\n") }
