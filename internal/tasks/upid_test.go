package tasks

import (
	"errors"
	"regexp"
	"testing"
)

// upidRE is FORMATS §2.1's regular expression, the reference for parseUPID.
var upidRE = regexp.MustCompile(`^UPID:([a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s/]+):([^:\s/]*):([^:\s/]+):$`)

func TestParseUPID(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want UPID
		sub  string
	}{
		{"spec example", "UPID:example-node:0000C346:165A0CE4:68D7279C:aptupdate::root@pam:",
			UPID{"example-node", 49990, 375000292, 1758930844, "aptupdate", "", "root@pam"}, "C"},
		{"nine digit pstart", "UPID:n1:00000001:1165A0CE4:00000010:srvreload:networking:root@pam:",
			UPID{"n1", 1, 0x1165A0CE4, 16, "srvreload", "networking", "root@pam"}, "0"},
		{"lowercase hex", "UPID:pve:0000c346:165a0ce4:68d7279c:vzdump:100:root@pam:",
			UPID{"pve", 49990, 375000292, 1758930844, "vzdump", "100", "root@pam"}, "c"},
		{"token user", "UPID:a:00000002:00000003:0000000F:zfscreate:tank:admin@pve!ci-1:",
			UPID{"a", 2, 3, 15, "zfscreate", "tank", "admin@pve!ci-1"}, "F"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseUPID(tc.in)
			if err != nil || got != tc.want {
				t.Fatalf("ParseUPID = %+v, %v; want %+v", got, err, tc.want)
			}
			again, err := ParseUPID(got.String())
			if err != nil || again != got {
				t.Fatalf("round trip = %+v, %v", again, err)
			}
			if _, sub, _ := parseUPID(tc.in); string(sub) != tc.sub {
				t.Errorf("subdir = %q, want %q", sub, tc.sub)
			}
		})
	}
}

func TestParseUPIDBad(t *testing.T) {
	bad := []string{
		"",
		"UPID:n:00000001:00000002:00000003:t:i:u",           // no trailing colon
		"UPID:n:00000001:00000002:00000003:t:i:u::",         // extra field
		"UPID:-n:00000001:00000002:00000003:t:i:u:",         // node starts with -
		"UPID:n-:00000001:00000002:00000003:t:i:u:",         // node ends with -
		"UPID:n_1:00000001:00000002:00000003:t:i:u:",        // underscore in node
		"UPID:n:0000001:00000002:00000003:t:i:u:",           // short pid
		"UPID:n:00000001:0000002:00000003:t:i:u:",           // short pstart
		"UPID:n:00000001:0000000002:00000003:t:i:u:",        // 10-digit pstart
		"UPID:n:00000001:00000002:0000000G:t:i:u:",          // bad hex
		"UPID:n:00000001:00000002:00000003::i:u:",           // empty type
		"UPID:n:00000001:00000002:00000003:t:i::",           // empty user
		"UPID:n:00000001:00000002:00000003:t:a/b:u:",        // slash in id
		"UPID:n:00000001:00000002:00000003:t:a b:u:",        // space in id
		"upid:n:00000001:00000002:00000003:t:i:u:",          // lowercase prefix
		"UPID:n:00000001:00000002:00000003:t:i:u:\n",        // trailing newline
		"PBS:UPID:n:00000001:00000002:00000003:t:i:u:",      // prefix
		"UPID:n:00000001:00000002:00000003:00000004:t:i:u:", // PBS-style extra field
	}
	for _, s := range bad {
		if _, err := ParseUPID(s); !errors.Is(err, ErrBadUPID) {
			t.Errorf("ParseUPID(%q) err = %v, want ErrBadUPID", s, err)
		}
		if upidRE.MatchString(s) {
			t.Errorf("reference regexp accepts %q", s)
		}
	}
	if ErrBadUPID.Error() != "unable to parse worker upid" {
		t.Errorf("message = %q", ErrBadUPID)
	}
}

func TestUPIDStringAndLogPath(t *testing.T) {
	u := UPID{"node1", 0xabc, 0x1234, 0x68d7279c, "aptupdate", "", "root@pam!tok"}
	want := "UPID:node1:00000ABC:00001234:68D7279C:aptupdate::root@pam!tok:"
	if u.String() != want {
		t.Errorf("String = %q", u.String())
	}
	if u.LogPath() != "C/"+want {
		t.Errorf("LogPath = %q", u.LogPath())
	}
	if u.UserOnly() != "root@pam" || u.TokenID() != "tok" {
		t.Errorf("UserOnly, TokenID = %q, %q", u.UserOnly(), u.TokenID())
	}
}

func TestSplitAuthID(t *testing.T) {
	tests := []struct{ in, user, token string }{
		{"root@pam", "root@pam", ""},
		{"root@pam!mytoken", "root@pam", "mytoken"},
		{"a!b@pve!t.1_x-y", "a!b@pve", "t.1_x-y"},
		{"root@pam!1bad", "root@pam!1bad", ""},
		{"root@pam!x", "root@pam!x", ""}, // token names have 2+ characters
		{"nobody!tok", "nobody!tok", ""},
	}
	for _, tc := range tests {
		u, tok := SplitAuthID(tc.in)
		if u != tc.user || tok != tc.token {
			t.Errorf("SplitAuthID(%q) = %q, %q; want %q, %q", tc.in, u, tok, tc.user, tc.token)
		}
	}
}

// FuzzParseUPID checks parseUPID against the reference regexp and that a
// valid UPID survives String and a second parse.
func FuzzParseUPID(f *testing.F) {
	f.Add("UPID:example-node:0000C346:165A0CE4:68D7279C:aptupdate::root@pam:")
	f.Add("UPID:n1:00000001:1165A0CE4:00000010:srvreload:networking:root@pam!t1:")
	f.Add("UPID:a:0000000a:0000000b:0000000c:t:\x80:u:")
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseUPID(s)
		if (err == nil) != upidRE.MatchString(s) {
			t.Fatalf("ParseUPID(%q) err = %v, regexp match = %v", s, err, upidRE.MatchString(s))
		}
		if err != nil {
			return
		}
		again, err := ParseUPID(u.String())
		if err != nil || again != u {
			t.Fatalf("round trip of %q: %+v, %v; want %+v", s, again, err, u)
		}
	})
}
