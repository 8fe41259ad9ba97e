// Package wire holds the data objects hostadm sends to external metric
// servers and their exact encodings: Graphite plaintext and InfluxDB line
// protocol, byte for byte as Proxmox VE's pvestatd writes them, so that
// dashboards built for Proxmox keep working.
//
// An Object is a Perl-like nested hash with its keys sorted: leaves are
// integers, floats or strings, and the encoders apply Perl's rules for what
// counts as a number. The package is pure: no I/O, no clock.
package wire

import (
	"cmp"
	"slices"
)

// Kind is what an Object describes; it decides the Graphite path and the
// InfluxDB base tags.
type Kind uint8

// Object kinds, as pvestatd's update_*_status calls name them.
const (
	KindNode Kind = iota
	KindQEMU
	KindLXC
	KindStorage
)

// Object is one data object of a collection round (formats §5.1).
type Object struct {
	Kind Kind
	// ID is the node name for KindNode, the VMID for guests and the
	// storage id for KindStorage.
	ID string
	// Node is the node a guest or storage belongs to.
	Node string
	// Time is the round's ctime in Unix seconds.
	Time int64
	// Fields are the top-level keys, sorted (see Sort).
	Fields []Field
}

// ValueKind says which member of a Field holds its value.
type ValueKind uint8

// Value kinds of a Field.
const (
	VInt ValueKind = iota
	VFloat
	VString
	VHash
)

// Field is one key of an Object or of a nested hash.
type Field struct {
	Key  string
	Kind ValueKind
	Int  int64
	F    float64
	Str  string
	Hash []Field
}

// Int is an integer field.
func Int(key string, v int64) Field { return Field{Key: key, Kind: VInt, Int: v} }

// Uint is an integer field from an unsigned counter, clamped to int64.
func Uint(key string, v uint64) Field {
	if v > 1<<63-1 {
		v = 1<<63 - 1
	}
	return Field{Key: key, Kind: VInt, Int: int64(v)}
}

// Float is a floating-point field, written as Perl prints numbers (%.15g).
func Float(key string, v float64) Field { return Field{Key: key, Kind: VFloat, F: v} }

// Str is a string field. Strings that look like numbers are sent as
// numbers, as in Perl, where the two are one type.
func Str(key, v string) Field { return Field{Key: key, Kind: VString, Str: v} }

// Hash is a nested hash.
func Hash(key string, fields ...Field) Field { return Field{Key: key, Kind: VHash, Hash: fields} }

// Sort sorts fields by key at every level, in place: the encoders visit keys
// in this order, as Proxmox's encoders visit `sort keys %$data`.
func Sort(fields []Field) {
	slices.SortFunc(fields, func(a, b Field) int { return cmp.Compare(a.Key, b.Key) })
	for i := range fields {
		if fields[i].Kind == VHash {
			Sort(fields[i].Hash)
		}
	}
}

// Lookup returns the top-level field with the given key.
func (o *Object) Lookup(key string) (Field, bool) {
	for _, f := range o.Fields {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}
