package schema

// Builders keep endpoint declarations short: schema.Str("The node name.").Fmt("pve-node").
// Each builder returns a fresh value; the chained methods change and return it.

// Str is a string schema.
func Str(desc string) *Schema { return &Schema{Type: TString, Description: desc} }

// Int is an integer schema.
func Int(desc string) *Schema { return &Schema{Type: TInteger, Description: desc} }

// Num is a number schema.
func Num(desc string) *Schema { return &Schema{Type: TNumber, Description: desc} }

// Bool is a boolean schema.
func Bool(desc string) *Schema { return &Schema{Type: TBoolean, Description: desc} }

// Null is the schema of a result that is always null.
func Null() *Schema { return &Schema{Type: TNull} }

// Obj is an object with the given properties; no other properties allowed.
func Obj(props Props) *Schema {
	if props == nil {
		props = Props{}
	}
	return &Schema{Type: TObject, Properties: props}
}

// Arr is an array of items.
func Arr(items *Schema) *Schema { return &Schema{Type: TArray, Items: items} }

// Opt marks the value optional.
func (s *Schema) Opt() *Schema { s.Optional = true; return s }

// Def sets the default (and makes the value optional).
func (s *Schema) Def(v any) *Schema { s.Default = v; s.Optional = true; return s }

// Fmt sets a named format.
func (s *Schema) Fmt(name string) *Schema { s.Format = name; return s }

// PropFmt sets a property-string format.
func (s *Schema) PropFmt(p Props) *Schema { s.PropFormat = p; return s }

// DefKey marks a property-string member whose key may be omitted.
func (s *Schema) DefKey() *Schema { s.DefaultKey = true; return s }

// Pat sets a pattern (implicitly anchored).
func (s *Schema) Pat(re string) *Schema { s.Pattern = re; return s }

// MaxLen sets the maximum length.
func (s *Schema) MaxLen(n int) *Schema { s.MaxLength = &n; return s }

// MinLen sets the minimum length.
func (s *Schema) MinLen(n int) *Schema { s.MinLength = &n; return s }

// Min sets the minimum.
func (s *Schema) Min(v float64) *Schema { s.Minimum = &v; return s }

// Max sets the maximum.
func (s *Schema) Max(v float64) *Schema { s.Maximum = &v; return s }

// OneOf sets the enumeration.
func (s *Schema) OneOf(vals ...string) *Schema { s.Enum = vals; return s }

// Req names a parameter that must be present with this one.
func (s *Schema) Req(other string) *Schema { s.Requires = other; return s }

// AllowMore lets an object carry properties it does not declare.
func (s *Schema) AllowMore() *Schema { s.Additional = true; return s }

// With adds properties to an object schema (a copy of props is not made).
func (s *Schema) With(props Props) *Schema {
	if s.Properties == nil {
		s.Properties = Props{}
	}
	for k, v := range props {
		s.Properties[k] = v
	}
	return s
}
