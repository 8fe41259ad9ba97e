package schema

import "testing"

func TestUnescape(t *testing.T) {
	for in, want := range map[string]string{
		"":              "",
		"plain":         "plain",
		"a%20b%3Ac%3a":  "a b:c:",
		"%":             "%",
		"100%":          "100%",
		"%4":            "%4",
		"%zz%41":        "%zzA",
		"%C3%A4%0A":     "ä\n",
		"trailing %2":   "trailing %2",
		"%25 stays %25": "% stays %",
	} {
		if got := string(Unescape(in)); got != want {
			t.Errorf("Unescape(%q) = %q, want %q", in, got, want)
		}
	}
}
