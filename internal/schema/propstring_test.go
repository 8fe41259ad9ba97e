package schema

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// wolFormat is shaped like a node's `wakeonlan` and `acme` property strings.
func wolFormat() Props {
	return Props{
		"mac":       Str("MAC address").Fmt("mac-addr").DefKey(),
		"bind":      Str("interface").Fmt("pve-iface").Opt(),
		"broadcast": Str("broadcast").Fmt("ipv4").Opt(),
		"enabled":   Bool("enabled").Opt(),
		"port":      Int("port").Min(1).Max(65535).Opt(),
	}
}

func TestParsePropString(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want map[string]any
		err  string
	}{
		{name: "default key bare", in: "02:00:00:00:00:01",
			want: map[string]any{"mac": "02:00:00:00:00:01"}},
		{name: "default key named", in: "mac=02:00:00:00:00:01",
			want: map[string]any{"mac": "02:00:00:00:00:01"}},
		{name: "default key bare not first", in: "bind=eth0,02:00:00:00:00:01",
			want: map[string]any{"mac": "02:00:00:00:00:01", "bind": "eth0"}},
		{name: "all members", in: "02:00:00:00:00:01,bind=vmbr0,broadcast=10.0.0.255,enabled=1,port=9",
			want: map[string]any{"mac": "02:00:00:00:00:01", "bind": "vmbr0", "broadcast": "10.0.0.255",
				"enabled": true, "port": int64(9)}},
		{name: "empty and blank parts skipped", in: ",02:00:00:00:00:01,, ,",
			want: map[string]any{"mac": "02:00:00:00:00:01"}},
		{name: "bool on", in: "02:00:00:00:00:01,enabled=on", want: map[string]any{"mac": "02:00:00:00:00:01", "enabled": true}},
		{name: "bool off", in: "02:00:00:00:00:01,enabled=off", want: map[string]any{"mac": "02:00:00:00:00:01", "enabled": false}},
		{name: "bool yes", in: "02:00:00:00:00:01,enabled=yes", want: map[string]any{"mac": "02:00:00:00:00:01", "enabled": true}},
		{name: "bool no", in: "02:00:00:00:00:01,enabled=no", want: map[string]any{"mac": "02:00:00:00:00:01", "enabled": false}},
		{name: "bool TRUE", in: "02:00:00:00:00:01,enabled=TRUE", want: map[string]any{"mac": "02:00:00:00:00:01", "enabled": true}},
		{name: "bool false", in: "02:00:00:00:00:01,enabled=false", want: map[string]any{"mac": "02:00:00:00:00:01", "enabled": false}},
		{name: "bool 0", in: "02:00:00:00:00:01,enabled=0", want: map[string]any{"mac": "02:00:00:00:00:01", "enabled": false}},
		{name: "bool bad", in: "02:00:00:00:00:01,enabled=maybe",
			err: "format error\nenabled: type check ('boolean') failed - got 'maybe'\n"},

		{name: "unknown key", in: "02:00:00:00:00:01,speed=10",
			err: "invalid key in comma-separated list property: speed\n"},
		{name: "duplicate key", in: "02:00:00:00:00:01,port=1,port=2",
			err: "duplicate key in comma-separated list property: port\n"},
		{name: "duplicate default key bare twice", in: "02:00:00:00:00:01,02:00:00:00:00:02",
			err: "duplicate key in comma-separated list property: mac\n"},
		{name: "duplicate default key named then bare", in: "mac=02:00:00:00:00:01,02:00:00:00:00:02",
			err: "duplicate key in comma-separated list property: mac\n"},
		{name: "duplicate default key bare then named", in: "02:00:00:00:00:01,mac=02:00:00:00:00:02",
			err: "duplicate key in comma-separated list property: mac\n"},
		{name: "empty value", in: "02:00:00:00:00:01,bind=",
			err: "missing key in comma-separated list property\n"},
		{name: "empty key", in: "02:00:00:00:00:01,=eth0",
			err: "missing key in comma-separated list property\n"},
		{name: "missing required member", in: "bind=eth0",
			err: "format error\nmac: property is missing and it is not optional\n"},
		{name: "empty string misses required member", in: "",
			err: "format error\nmac: property is missing and it is not optional\n"},
		{name: "member format error", in: "01:00:00:00:00:00",
			err: "format error\nmac: invalid format - value does not look like a valid unicast MAC address\n"},
		{name: "member range error", in: "02:00:00:00:00:01,port=0",
			err: "format error\nport: value must have a minimum value of 1\n"},
		{name: "every bad member listed, sorted", in: "bind=9,port=x",
			err: "format error\n" +
				"bind: invalid format - invalid network interface name '9'\n" +
				"mac: property is missing and it is not optional\n" +
				"port: type check ('integer') failed - got 'x'\n"},
		// Structural errors come first, as in Proxmox (they die while splitting).
		{name: "unknown key before bad value", in: "port=x,zzz=1",
			err: "invalid key in comma-separated list property: zzz\n"},
		{name: "value holding equals", in: "02:00:00:00:00:01,bind=a=b",
			err: "format error\nbind: invalid format - invalid network interface name 'a=b'\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePropString(wolFormat(), tt.in)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("ParsePropString(%q) = %v, %v; want error %q", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePropString(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParsePropString(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParsePropStringNoDefaultKey(t *testing.T) {
	f := Props{"a": Str("a").Opt()}
	_, err := ParsePropString(f, "x")
	if want := "value without key, but schema does not define a default key\n"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
}

func TestPrintPropString(t *testing.T) {
	order := []string{"mac", "bind", "broadcast", "enabled", "port"}
	tests := []struct {
		name   string
		values map[string]any
		order  []string
		want   string
	}{
		{name: "default key bare and first",
			values: map[string]any{"mac": "02:00:00:00:00:01", "enabled": true, "port": int64(9)},
			order:  order, want: "02:00:00:00:00:01,enabled=1,port=9"},
		{name: "default key first whatever the order",
			values: map[string]any{"mac": "02:00:00:00:00:01", "bind": "eth0"},
			order:  []string{"bind", "mac"}, want: "02:00:00:00:00:01,bind=eth0"},
		{name: "no default key", values: map[string]any{"bind": "eth0", "enabled": false},
			order: order, want: "bind=eth0,enabled=0"},
		{name: "keys not in order are left out", values: map[string]any{"mac": "02:00:00:00:00:01", "port": 1},
			order: []string{"mac"}, want: "02:00:00:00:00:01"},
		{name: "default key holding equals keeps its key", values: map[string]any{"mac": "a=b"},
			order: order, want: "mac=a=b"},
		{name: "empty", values: map[string]any{}, order: order, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PrintPropString(wolFormat(), tt.values, tt.order); got != tt.want {
				t.Errorf("PrintPropString = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPropStringRoundTrip(t *testing.T) {
	order := wolFormat().Names()
	for _, in := range []string{
		"02:00:00:00:00:01",
		"bind=eth0,mac=02:00:00:00:00:01,enabled=yes",
		"port=+9,02:00:00:00:00:01,broadcast=255.255.255.255,enabled=off",
	} {
		parsed, err := ParsePropString(wolFormat(), in)
		if err != nil {
			t.Fatalf("ParsePropString(%q): %v", in, err)
		}
		printed := PrintPropString(wolFormat(), parsed, order)
		again, err := ParsePropString(wolFormat(), printed)
		if err != nil {
			t.Fatalf("ParsePropString(%q) (printed from %q): %v", printed, in, err)
		}
		if diff := cmp.Diff(parsed, again); diff != "" {
			t.Errorf("%q -> %q (-first +second):\n%s", in, printed, diff)
		}
		// Printing is idempotent.
		if p2 := PrintPropString(wolFormat(), again, order); p2 != printed {
			t.Errorf("printed %q, then %q", printed, p2)
		}
	}
}
