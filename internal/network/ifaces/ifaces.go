// Package ifaces is the codec for /etc/network/interfaces in the dialect
// Proxmox VE writes and ifupdown2 reads: Parse turns the file into a Config,
// Validate runs the checks (and normalisations) Proxmox runs before every
// write, and Write renders the file the way Proxmox's writer does, header and
// ordering included. It does no I/O of its own: what the kernel knows about
// the links (physical NICs, which are up) is handed in as a Kernel value.
//
// The behaviour follows proxmox/pve-common's Network/Interfaces.pm (8.x:
// INotify.pm), including its quirks: comments outside stanzas are dropped,
// a `broadcast` line does not survive a rewrite, option keys are normalised
// through an alias table, unknown option lines are kept per family.
package ifaces

import "slices"

// Families of a stanza. Typeless is an `iface NAME` stanza without family
// and method (ifupdown2's form).
const (
	Inet     = "inet"
	Inet6    = "inet6"
	Typeless = ""
)

// Interface types as Proxmox names them.
const (
	TypeLoopback   = "loopback"
	TypeEth        = "eth"
	TypeBridge     = "bridge"
	TypeBond       = "bond"
	TypeVLAN       = "vlan"
	TypeAlias      = "alias"
	TypeVXLAN      = "vxlan"
	TypeDummy      = "dummy"
	TypeOVSBridge  = "OVSBridge"
	TypeOVSBond    = "OVSBond"
	TypeOVSPort    = "OVSPort"
	TypeOVSIntPort = "OVSIntPort"
	TypeUnknown    = "unknown"
)

// Config is a parsed interfaces file.
type Config struct {
	// Ifaces maps interface names to their settings.
	Ifaces map[string]*Iface
	// Lines are the top-level lines that are not stanzas or auto lines
	// (source, source-directory, mapping, allow-BRIDGE ...), kept verbatim
	// with the priority that places them between the stanzas.
	Lines []Line

	usedPorts map[string]string // port → interface, filled by Validate
	sorted    []named           // the interfaces in name order as Parse left them
	srcLen    int               // the length of the file Parse read
}

// named is an interface with its name.
type named struct {
	name string
	d    *Iface
}

// Line is a verbatim top-level line.
type Line struct {
	Priority int
	Text     string
}

// Iface is one interface, merged from all its stanzas. The fields mirror
// Proxmox's hash keys; settings without a field of their own live in Attrs
// under Proxmox's (normalised) key names.
type Iface struct {
	Type      string
	Priority  int // order of first appearance; 0 = none (new interface)
	Autostart bool
	Exists    bool // a physical NIC the kernel knows (or the parent of one)
	// ExistsSet tells whether Exists was decided at all (Proxmox leaves the
	// key out for virtual interfaces).
	ExistsSet bool
	// ExistsNull marks an alias or VLAN whose parent has no `exists` of
	// its own (a bridge, say): Proxmox copies the missing value, and the
	// API shows "exists": null.
	ExistsNull bool
	Active     bool // IFF_UP
	// Families lists the stanzas in file order: Inet, Inet6 or Typeless.
	Families []string

	Method, Method6                      string
	Address, Netmask, Gateway, Broadcast string
	Address6, Netmask6, Gateway6, Broad6 string
	CIDR, CIDR6                          string // derived on parse, for the API
	Comments, Comments6                  string // newline-terminated lines
	Options, Options6                    []string
	VXLANRemoteIPs                       []string
	Attrs                                Attrs
}

// Attrs are an interface's other settings, kept sorted by key. An
// interface has a handful, and looking one up is the codec's most frequent
// step: a scan of a short slice (most keys differ in length) costs less
// than hashing the key for a map, and ranging over it gives key order.
type Attrs []Attr

// Attr is one setting.
type Attr struct{ Key, Value string }

// Get returns a setting and whether it is present.
func (a Attrs) Get(k string) (string, bool) {
	for i := range a {
		if a[i].Key == k {
			return a[i].Value, true
		}
	}
	return "", false
}

// Set stores a setting in key order.
func (a *Attrs) Set(k, v string) {
	s := *a
	i := 0
	for i < len(s) && s[i].Key < k {
		i++
	}
	if i < len(s) && s[i].Key == k {
		s[i].Value = v
		return
	}
	if s == nil {
		s = make(Attrs, 0, 4)
	}
	// by hand, not slices.Insert: moving a handful of elements one by one
	// costs less than its copy of a slice holding pointers
	s = append(s, Attr{})
	for j := len(s) - 1; j > i; j-- {
		s[j] = s[j-1]
	}
	s[i] = Attr{k, v}
	*a = s
}

// Del removes a setting.
func (a *Attrs) Del(k string) {
	*a = slices.DeleteFunc(*a, func(x Attr) bool { return x.Key == k })
}

// Keys returns the keys in order.
func (a Attrs) Keys() []string {
	keys := make([]string, len(a))
	for i, x := range a {
		keys[i] = x.Key
	}
	return keys
}

// Attr returns a setting from Attrs ("" when unset).
func (d *Iface) Attr(k string) string {
	v, _ := d.Attrs.Get(k)
	return v
}

// HasAttr tells whether a setting is present (even if empty).
func (d *Iface) HasAttr(k string) bool {
	_, ok := d.Attrs.Get(k)
	return ok
}

// Set stores a setting; SetAttr with "" keeps the key (an empty bridge).
func (d *Iface) Set(k, v string) { d.Attrs.Set(k, v) }

// Del removes a setting.
func (d *Iface) Del(k string) { d.Attrs.Del(k) }

// Clone returns a deep copy.
func (d *Iface) Clone() *Iface {
	c := *d
	c.Families = append([]string(nil), d.Families...)
	c.Options = append([]string(nil), d.Options...)
	c.Options6 = append([]string(nil), d.Options6...)
	c.VXLANRemoteIPs = append([]string(nil), d.VXLANRemoteIPs...)
	c.Attrs = slices.Clone(d.Attrs)
	return &c
}

// Clone returns a deep copy of the configuration.
func (c *Config) Clone() *Config {
	n := &Config{Ifaces: make(map[string]*Iface, len(c.Ifaces)), Lines: append([]Line(nil), c.Lines...)}
	for k, v := range c.Ifaces {
		n.Ifaces[k] = v.Clone()
	}
	return n
}

// Kernel is what the host tells about its links, for `exists`, `active` and
// type detection. The zero value knows nothing.
type Kernel struct {
	// Physical maps each physical NIC to its alternative names.
	Physical map[string][]string
	// Up lists the links that have IFF_UP.
	Up map[string]bool
}
