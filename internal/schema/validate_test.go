package schema

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// testSchema has one parameter per rule ValidateParams applies. Only "node"
// is required.
func testSchema() *Schema {
	return Obj(Props{
		"node":    Str("node").Fmt("pve-node"),
		"flag":    Bool("flag").Opt(),
		"count":   Int("count").Min(0).Max(10).Opt(),
		"big":     Int("big").Opt(),
		"ratio":   Num("ratio").Min(-1.5).Max(2.5).Opt(),
		"name":    Str("name").MinLen(2).MaxLen(5).Opt(),
		"word":    Str("word").Pat(`[a-z]+`).Opt(),
		"alt":     Str("alt").Pat(`a|b`).Opt(),
		"mode":    Str("mode").OneOf("a", "b", "c").Opt(),
		"addr":    Str("addr").Fmt("ipv4").Opt(),
		"ifaces":  Str("ifaces").Fmt("pve-iface-list").Opt(),
		"tags":    Arr(Str("tag")).Opt(),
		"ids":     Arr(Int("id").Min(1)).Opt(),
		"vmid":    Int("vmid").Fmt("pve-vmid").Min(100).Max(999999999).Opt(),
		"user":    Str("user").Opt(),
		"pass":    Str("pass").Req("user").Opt(),
		"iface":   Str("iface").Fmt("pve-iface").MinLen(2).MaxLen(20).Opt(),
		"listcfg": Str("listcfg").Fmt("pve-configid-list").Opt(),
		"opts":    Str("opts").PropFmt(Props{"enabled": Bool("e").DefKey()}).Opt(),
		"object":  Obj(nil).Opt(),
	})
}

func TestValidateParams(t *testing.T) {
	tests := []struct {
		name string
		in   map[string]any
		want map[string]any    // converted values on success (node added)
		errs map[string]string // expected ParamError on failure
	}{
		{name: "only required", in: map[string]any{}, want: map[string]any{}},
		{name: "missing required", in: map[string]any{"node": nil},
			errs: map[string]string{"node": "property is missing and it is not optional"}},
		{name: "unknown parameter", in: map[string]any{"bogus": "1"},
			errs: map[string]string{"bogus": "property is not defined in schema and the schema does not allow additional properties"}},

		{name: "bool form 1", in: map[string]any{"flag": "1"}, want: map[string]any{"flag": true}},
		{name: "bool form 0", in: map[string]any{"flag": "0"}, want: map[string]any{"flag": false}},
		{name: "bool json true", in: map[string]any{"flag": true}, want: map[string]any{"flag": true}},
		{name: "bool json false", in: map[string]any{"flag": false}, want: map[string]any{"flag": false}},
		{name: "bool json number", in: map[string]any{"flag": json.Number("1")}, want: map[string]any{"flag": true}},
		{name: "bool form true rejected", in: map[string]any{"flag": "true"},
			errs: map[string]string{"flag": "type check ('boolean') failed - got 'true'"}},
		{name: "bool form yes rejected", in: map[string]any{"flag": "yes"},
			errs: map[string]string{"flag": "type check ('boolean') failed - got 'yes'"}},
		{name: "bool form on rejected", in: map[string]any{"flag": "on"},
			errs: map[string]string{"flag": "type check ('boolean') failed - got 'on'"}},
		{name: "bool empty rejected", in: map[string]any{"flag": ""},
			errs: map[string]string{"flag": "type check ('boolean') failed - got ''"}},
		{name: "bool json 2 rejected", in: map[string]any{"flag": json.Number("2")},
			errs: map[string]string{"flag": "type check ('boolean') failed - got '2'"}},

		{name: "integer", in: map[string]any{"count": "7"}, want: map[string]any{"count": int64(7)}},
		{name: "integer plus sign", in: map[string]any{"count": "+7"}, want: map[string]any{"count": int64(7)}},
		{name: "integer leading zero", in: map[string]any{"count": "007"}, want: map[string]any{"count": int64(7)}},
		{name: "integer negative", in: map[string]any{"big": "-42"}, want: map[string]any{"big": int64(-42)}},
		{name: "integer json number", in: map[string]any{"count": json.Number("3")}, want: map[string]any{"count": int64(3)}},
		{name: "integer float64 whole", in: map[string]any{"count": float64(3)}, want: map[string]any{"count": int64(3)}},
		{name: "integer fraction rejected", in: map[string]any{"count": "1.5"},
			errs: map[string]string{"count": "type check ('integer') failed - got '1.5'"}},
		{name: "integer word rejected", in: map[string]any{"count": "abc"},
			errs: map[string]string{"count": "type check ('integer') failed - got 'abc'"}},
		{name: "integer json fraction rejected", in: map[string]any{"count": json.Number("1.5")},
			errs: map[string]string{"count": "type check ('integer') failed - got '1.5'"}},
		{name: "integer exponent rejected", in: map[string]any{"count": "1e3"},
			errs: map[string]string{"count": "type check ('integer') failed - got '1e3'"}},
		{name: "integer space rejected", in: map[string]any{"count": " 1"},
			errs: map[string]string{"count": "type check ('integer') failed - got ' 1'"}},
		{name: "integer overflow rejected", in: map[string]any{"big": "99999999999999999999"},
			errs: map[string]string{"big": "type check ('integer') failed - got '99999999999999999999'"}},
		{name: "integer below minimum", in: map[string]any{"count": "-1"},
			errs: map[string]string{"count": "value must have a minimum value of 0"}},
		{name: "integer above maximum", in: map[string]any{"count": "11"},
			errs: map[string]string{"count": "value must have a maximum value of 10"}},
		{name: "integer at bounds", in: map[string]any{"count": "10"}, want: map[string]any{"count": int64(10)}},

		{name: "number plain", in: map[string]any{"ratio": "1.25"}, want: map[string]any{"ratio": 1.25}},
		{name: "number trailing dot", in: map[string]any{"ratio": "1."}, want: map[string]any{"ratio": 1.0}},
		{name: "number leading dot", in: map[string]any{"ratio": ".5"}, want: map[string]any{"ratio": 0.5}},
		{name: "number exponent", in: map[string]any{"ratio": "2e-1"}, want: map[string]any{"ratio": 0.2}},
		{name: "number json", in: map[string]any{"ratio": json.Number("-1.5")}, want: map[string]any{"ratio": -1.5}},
		{name: "number word rejected", in: map[string]any{"ratio": "abc"},
			errs: map[string]string{"ratio": "type check ('number') failed - got 'abc'"}},
		{name: "number hex rejected", in: map[string]any{"ratio": "0x1"},
			errs: map[string]string{"ratio": "type check ('number') failed - got '0x1'"}},
		{name: "number inf rejected", in: map[string]any{"ratio": "Inf"},
			errs: map[string]string{"ratio": "type check ('number') failed - got 'Inf'"}},
		{name: "number below minimum", in: map[string]any{"ratio": "-2"},
			errs: map[string]string{"ratio": "value must have a minimum value of -1.5"}},
		{name: "number above maximum", in: map[string]any{"ratio": "3"},
			errs: map[string]string{"ratio": "value must have a maximum value of 2.5"}},

		{name: "length ok", in: map[string]any{"name": "abcde"}, want: map[string]any{"name": "abcde"}},
		{name: "too long", in: map[string]any{"name": "abcdef"},
			errs: map[string]string{"name": "value may only be 5 characters long"}},
		{name: "too short", in: map[string]any{"name": "a"},
			errs: map[string]string{"name": "value must be at least 2 characters long"}},

		{name: "pattern ok", in: map[string]any{"word": "abc"}, want: map[string]any{"word": "abc"}},
		{name: "pattern mismatch", in: map[string]any{"word": "ABC"},
			errs: map[string]string{"word": "value does not match the regex pattern"}},
		{name: "pattern anchored at end", in: map[string]any{"word": "abc1"},
			errs: map[string]string{"word": "value does not match the regex pattern"}},
		{name: "pattern anchored at start", in: map[string]any{"word": "1abc"},
			errs: map[string]string{"word": "value does not match the regex pattern"}},
		{name: "pattern trailing newline", in: map[string]any{"word": "abc\n"},
			errs: map[string]string{"word": "value does not match the regex pattern"}},
		{name: "pattern alternation anchored as a whole", in: map[string]any{"alt": "ab"},
			errs: map[string]string{"alt": "value does not match the regex pattern"}},
		{name: "pattern alternation", in: map[string]any{"alt": "b"}, want: map[string]any{"alt": "b"}},

		{name: "enum ok", in: map[string]any{"mode": "b"}, want: map[string]any{"mode": "b"}},
		{name: "enum miss", in: map[string]any{"mode": "x"},
			errs: map[string]string{"mode": "value 'x' does not have a value in the enumeration 'a, b, c'"}},
		{name: "enum case sensitive", in: map[string]any{"mode": "A"},
			errs: map[string]string{"mode": "value 'A' does not have a value in the enumeration 'a, b, c'"}},

		{name: "format ok", in: map[string]any{"addr": "10.0.0.1"}, want: map[string]any{"addr": "10.0.0.1"}},
		{name: "format error", in: map[string]any{"addr": "10.0.0.256"},
			errs: map[string]string{"addr": "invalid format - value does not look like a valid IPv4 address\n"}},
		{name: "bad node", in: map[string]any{"node": "-x"},
			errs: map[string]string{"node": "invalid format - value does not look like a valid node name\n"}},
		{name: "integer format", in: map[string]any{"vmid": "100"}, want: map[string]any{"vmid": int64(100)}},
		// pve-vmid is an integer with a format; Proxmox checks the format
		// before the range.
		{name: "integer format before range", in: map[string]any{"vmid": "99"},
			errs: map[string]string{"vmid": "invalid format - value does not look like a valid VM ID\n"}},
		{name: "integer format leading zero", in: map[string]any{"vmid": "0100"},
			errs: map[string]string{"vmid": "invalid format - value does not look like a valid VM ID\n"}},
		// Proxmox order: format, pattern, maxLength, minLength, enum.
		{name: "format before length", in: map[string]any{"iface": "x"},
			errs: map[string]string{"iface": "invalid format - invalid network interface name 'x'\n"}},

		{name: "list commas", in: map[string]any{"ifaces": "eth0,eth1"}, want: map[string]any{"ifaces": "eth0,eth1"}},
		{name: "list semicolons and spaces", in: map[string]any{"ifaces": "eth0; eth1\teth2\n"},
			want: map[string]any{"ifaces": "eth0; eth1\teth2\n"}},
		{name: "list empty", in: map[string]any{"ifaces": ""}, want: map[string]any{"ifaces": ""}},
		{name: "list bad item", in: map[string]any{"ifaces": "eth0 9x"},
			errs: map[string]string{"ifaces": "invalid format - invalid network interface name '9x'\n"}},
		{name: "list repeated form keys joined", in: map[string]any{"ifaces": []string{"eth0", "eth1"}},
			want: map[string]any{"ifaces": "eth0,eth1"}},
		{name: "list json array joined", in: map[string]any{"listcfg": []any{"a1", "b2"}},
			want: map[string]any{"listcfg": "a1,b2"}},
		{name: "list repeated bad item", in: map[string]any{"listcfg": []string{"ok1", "1bad"}},
			errs: map[string]string{"listcfg": "invalid format - invalid configuration ID '1bad'\n"}},
		{name: "repeated key for a plain string", in: map[string]any{"user": []string{"a", "b"}},
			errs: map[string]string{"user": "type check ('string') failed - got ARRAY"}},
		{name: "single repeated key for a plain string", in: map[string]any{"user": []string{"a"}},
			want: map[string]any{"user": "a"}},

		{name: "array scalar becomes one element", in: map[string]any{"tags": "x"},
			want: map[string]any{"tags": []string{"x"}}},
		{name: "array of strings", in: map[string]any{"tags": []string{"x", "y"}},
			want: map[string]any{"tags": []string{"x", "y"}}},
		{name: "array of integers", in: map[string]any{"ids": []any{json.Number("1"), "2"}},
			want: map[string]any{"ids": []any{int64(1), int64(2)}}},
		{name: "array scalar integer", in: map[string]any{"ids": "5"}, want: map[string]any{"ids": []any{int64(5)}}},
		{name: "array bad item", in: map[string]any{"ids": []string{"1", "0"}},
			errs: map[string]string{"ids": "value must have a minimum value of 1"}},
		{name: "array of objects rejected", in: map[string]any{"tags": []any{map[string]any{}}},
			errs: map[string]string{"tags": "type check ('array') failed"}},

		{name: "requires met", in: map[string]any{"user": "u", "pass": "p"},
			want: map[string]any{"user": "u", "pass": "p"}},
		{name: "requires missing", in: map[string]any{"pass": "p"},
			errs: map[string]string{"user": "missing property required by 'pass'"}},

		{name: "object", in: map[string]any{"object": map[string]any{"k": "v"}},
			want: map[string]any{"object": map[string]any{"k": "v"}}},
		{name: "string given an object", in: map[string]any{"user": map[string]any{}},
			errs: map[string]string{"user": "type check ('string') failed - got HASH"}},
		{name: "json true as string", in: map[string]any{"user": true}, want: map[string]any{"user": "1"}},

		{name: "property string ok", in: map[string]any{"opts": "on"}, want: map[string]any{"opts": "on"}},
		{name: "property string bad", in: map[string]any{"opts": "enabled=maybe"},
			errs: map[string]string{"opts": "invalid format - format error\nenabled: type check ('boolean') failed - got 'maybe'\n"}},

		{name: "several errors at once", in: map[string]any{"node": nil, "flag": "true", "count": "x", "zzz": "1"},
			errs: map[string]string{
				"node":  "property is missing and it is not optional",
				"flag":  "type check ('boolean') failed - got 'true'",
				"count": "type check ('integer') failed - got 'x'",
				"zzz":   "property is not defined in schema and the schema does not allow additional properties",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := map[string]any{"node": "pve1"}
			for k, v := range tt.in {
				in[k] = v
			}
			if v, ok := tt.in["node"]; ok && v == nil {
				delete(in, "node")
			}
			got, err := testSchema().ValidateParams(in)
			if tt.errs != nil {
				var pe ParamError
				if !errors.As(err, &pe) {
					t.Fatalf("ValidateParams(%q) = %v, %v; want ParamError %q", in, got, err, tt.errs)
				}
				if diff := cmp.Diff(tt.errs, map[string]string(pe)); diff != "" {
					t.Errorf("ValidateParams(%q) errors (-want +got):\n%s", in, diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("ValidateParams(%q): %v", in, err)
			}
			want := map[string]any{"node": "pve1"}
			for k, v := range tt.want {
				want[k] = v
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ValidateParams(%q) (-want +got):\n%s", in, diff)
			}
		})
	}
}

func TestValidateParamsNilIsAbsent(t *testing.T) {
	// A JSON null counts as not given: optional ones are simply left out.
	got, err := testSchema().ValidateParams(map[string]any{"node": "n", "flag": nil})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got["flag"]; ok {
		t.Errorf("flag present in %v", got)
	}
}

func TestValidateParamsAdditional(t *testing.T) {
	s := Obj(Props{"a": Str("a")}).AllowMore()
	got, err := s.ValidateParams(map[string]any{"a": "x", "extra": "y"})
	if err != nil {
		t.Fatal(err)
	}
	// Undeclared properties are allowed but not passed on.
	if diff := cmp.Diff(map[string]any{"a": "x"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestValidateParamsRequiresMissingRequired(t *testing.T) {
	// When the required property is itself mandatory, the "missing" message
	// wins, every time (map order must not matter).
	s := Obj(Props{"a": Str("a"), "b": Str("b").Req("a").Opt()})
	for range 20 {
		_, err := s.ValidateParams(map[string]any{"b": "x"})
		var pe ParamError
		if !errors.As(err, &pe) || pe["a"] != MsgMissing {
			t.Fatalf("got %v, want a: %s", err, MsgMissing)
		}
	}
}

func TestValidateParamsBadPattern(t *testing.T) {
	s := Obj(Props{"a": Str("a").Pat(`(`)})
	_, err := s.ValidateParams(map[string]any{"a": "("})
	var pe ParamError
	if !errors.As(err, &pe) || pe["a"] != "value does not match the regex pattern" {
		t.Errorf("got %v", err)
	}
}

func TestValidateParamsJSONBody(t *testing.T) {
	// A body decoded with UseNumber, as the API does.
	dec := json.NewDecoder(strings.NewReader(`{"node":"pve1","flag":true,"count":3,"ratio":1.5,"ids":[1,2],"tags":"one"}`))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		t.Fatal(err)
	}
	got, err := testSchema().ValidateParams(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"node": "pve1", "flag": true, "count": int64(3), "ratio": 1.5,
		"ids": []any{int64(1), int64(2)}, "tags": []string{"one"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParamErrorError(t *testing.T) {
	e := ParamError{
		"b": "invalid format - value does not look like a valid IPv4 address\n",
		"a": MsgMissing,
	}
	want := "Parameter verification failed.\n" +
		"a: property is missing and it is not optional\n" +
		"b: invalid format - value does not look like a valid IPv4 address"
	if got := e.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestParamErrorAddKeepsFirst(t *testing.T) {
	e := Fail("x", "first")
	e.Add("x", "second")
	e.Add("y", "other")
	if diff := cmp.Diff(ParamError{"x": "first", "y": "other"}, e); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
