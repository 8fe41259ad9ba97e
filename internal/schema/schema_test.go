package schema

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// marshal renders s and decodes it again, so tests compare structure, not
// key order.
func marshal(t *testing.T, s *Schema) map[string]any {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMarshalJSON(t *testing.T) {
	tests := []struct {
		name string
		s    *Schema
		want map[string]any
	}{
		{name: "required string with format name",
			s:    Str("The node.").Fmt("pve-node"),
			want: map[string]any{"type": "string", "description": "The node.", "format": "pve-node"}},
		{name: "optional renders 1",
			s:    Bool("Flag.").Opt(),
			want: map[string]any{"type": "boolean", "description": "Flag.", "optional": 1.0}},
		{name: "default zero kept",
			s: Int("Count.").Def(0).Min(0).Max(10),
			want: map[string]any{"type": "integer", "description": "Count.", "optional": 1.0,
				"default": 0.0, "minimum": 0.0, "maximum": 10.0}},
		{name: "lengths pattern enum requires",
			s: Str("S.").MinLen(2).MaxLen(5).Pat(`[a-z]+`).OneOf("ab", "cd").Req("x").Opt(),
			want: map[string]any{"type": "string", "description": "S.", "optional": 1.0, "minLength": 2.0,
				"maxLength": 5.0, "pattern": "[a-z]+", "enum": []any{"ab", "cd"}, "requires": "x"}},
		{name: "property-string format as object",
			s: Str("WOL.").PropFmt(Props{"mac": Str("MAC.").Fmt("mac-addr").DefKey(), "bind": Str("If.").Opt()}).Opt(),
			want: map[string]any{"type": "string", "description": "WOL.", "optional": 1.0, "format": map[string]any{
				"mac":  map[string]any{"type": "string", "description": "MAC.", "format": "mac-addr", "default_key": 1.0},
				"bind": map[string]any{"type": "string", "description": "If.", "optional": 1.0},
			}}},
		{name: "declared object",
			s: Obj(Props{"a": Int("A.").Opt()}),
			want: map[string]any{"type": "object", "additionalProperties": 0.0, "properties": map[string]any{
				"a": map[string]any{"type": "integer", "description": "A.", "optional": 1.0},
			}}},
		{name: "open object",
			s: Obj(Props{"a": Str("A.")}).AllowMore(),
			want: map[string]any{"type": "object", "additionalProperties": 1.0, "properties": map[string]any{
				"a": map[string]any{"type": "string", "description": "A."},
			}}},
		{name: "empty declared object",
			s:    Obj(nil),
			want: map[string]any{"type": "object", "additionalProperties": 0.0}},
		{name: "object without properties has no additionalProperties",
			s:    &Schema{Type: TObject},
			want: map[string]any{"type": "object"}},
		{name: "array items rendered the same way",
			s: Arr(Obj(Props{"id": Str("ID.").Fmt("pve-configid")})),
			want: map[string]any{"type": "array", "items": map[string]any{"type": "object", "additionalProperties": 0.0,
				"properties": map[string]any{"id": map[string]any{"type": "string", "description": "ID.", "format": "pve-configid"}}}}},
		{name: "null", s: Null(), want: map[string]any{"type": "null"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, marshal(t, tt.s)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestClone(t *testing.T) {
	orig := Obj(Props{"a": Str("A.").OneOf("x", "y")}).With(Props{"b": Arr(Int("B."))})
	c := orig.Clone()
	c.Properties["a"].Opt().Enum[0] = "changed"
	c.Properties["b"].Items.Min(5)
	c.With(Props{"c": Str("C.")})
	if orig.Properties["a"].Optional || orig.Properties["a"].Enum[0] != "x" {
		t.Errorf("clone changed the original's property: %+v", orig.Properties["a"])
	}
	if orig.Properties["b"].Items.Minimum != nil {
		t.Error("clone changed the original's items")
	}
	if _, ok := orig.Properties["c"]; ok {
		t.Error("clone shares the original's properties map")
	}
}

func TestPropsNames(t *testing.T) {
	got := Props{"b": Str(""), "a": Str(""), "c": Str("")}.Names()
	if diff := cmp.Diff([]string{"a", "b", "c"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
