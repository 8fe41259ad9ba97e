package schema

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fuzzSchema mixes every type and a spread of formats.
func fuzzSchema() *Schema {
	s := testSchema()
	return s.With(Props{
		"cidr":  Str("cidr").Fmt("CIDRv6").Opt(),
		"mac":   Str("mac").Fmt("mac-addr").Opt(),
		"vlan":  Str("vlan").Fmt("pve-vlan-id-or-range").Opt(),
		"pem":   Str("pem").Fmt("pem-certificate-chain").Opt(),
		"mask":  Str("mask").Fmt("ipv4mask").Opt(),
		"mails": Str("mails").Fmt("email-list").Opt(),
		"wol":   Str("wol").PropFmt(wolFormat()).Opt(),
		"f":     Num("f").Opt(),
		"flags": Arr(Bool("b")).Opt(),
	})
}

// asForm turns a validated value back into what a form would carry.
func asForm(v any) any {
	switch x := v.(type) {
	case []string:
		return x
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			out[i] = asForm(e).(string)
		}
		return out
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case map[string]any:
		return x
	}
	s, _ := scalarString(v)
	return s
}

func FuzzValidateParams(f *testing.F) {
	f.Add(uint8(0), "pve1", "", "", false)
	f.Add(uint8(1), "1", "", "", false)
	f.Add(uint8(2), "7", "", "x", true)
	f.Add(uint8(5), "1.5e3", "", "", true)
	f.Add(uint8(9), "eth0 eth1", "vmbr0", "", false)
	f.Add(uint8(12), "100", "", "", false)
	f.Add(uint8(20), "02:00:00:00:00:01,enabled=on", "", "", false)
	f.Add(uint8(3), "10-20", "", "_dc", false)
	f.Add(uint8(7), testCert+testCert, "", "", false)
	names := fuzzSchema().Properties.Names()
	f.Fuzz(func(t *testing.T, idx uint8, v1, v2, extraKey string, asJSON bool) {
		s := fuzzSchema()
		raw := map[string]any{"node": "pve1"}
		var v any = v1
		switch {
		case asJSON:
			v = json.Number(v1)
		case v2 != "":
			v = []string{v1, v2}
		}
		raw[names[int(idx)%len(names)]] = v
		if extraKey != "" {
			raw[extraKey] = v2
		}
		out, err := s.ValidateParams(raw)
		if err != nil {
			if _, ok := err.(ParamError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		again := map[string]any{}
		for k, val := range out {
			again[k] = asForm(val)
		}
		out2, err := s.ValidateParams(again)
		if err != nil {
			t.Fatalf("accepted %q as %q, but its form %q is rejected: %v", raw, out, again, err)
		}
		if diff := cmp.Diff(out, out2); diff != "" {
			t.Fatalf("%q: values changed when fed back (-first +second):\n%s", raw, diff)
		}
	})
}

// fuzzPropFormat adds untyped, number and list members to wolFormat.
func fuzzPropFormat() Props {
	p := wolFormat()
	p["note"] = Str("free text").Opt()
	p["ratio"] = Num("ratio").Opt()
	p["ids"] = Str("ids").Fmt("pve-configid-list").Opt()
	return p
}

func FuzzParsePropString(f *testing.F) {
	f.Add("02:00:00:00:00:01")
	f.Add("mac=02:00:00:00:00:01,bind=eth0,enabled=yes,port=+9")
	f.Add("bind=eth0,02:00:00:00:00:01,note= x ,ratio=.5e1")
	f.Add("mac=02:00:00:00:00:01,ids=a1;b2 c3")
	f.Add("02:00:00:00:00:01,note=a=b")
	f.Add(",,port=1,=,x=")
	order := fuzzPropFormat().Names()
	f.Fuzz(func(t *testing.T, in string) {
		format := fuzzPropFormat()
		got, err := ParsePropString(format, in)
		if err != nil {
			return
		}
		printed := PrintPropString(format, got, order)
		again, err := ParsePropString(format, printed)
		if err != nil {
			t.Fatalf("%q parsed to %v, printed as %q, which does not parse: %v", in, got, printed, err)
		}
		if diff := cmp.Diff(got, again); diff != "" {
			t.Fatalf("%q -> %q (-first +second):\n%s", in, printed, diff)
		}
	})
}
