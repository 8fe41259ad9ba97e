package ifaces

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"unicode/utf8"
)

// keyAlias normalises an option key the way Proxmox does. (A switch, not
// a map: the parser asks for every option line, and a switch on strings
// needs no hashing.)
func keyAlias(key string) string {
	switch key {
	case "ovs_mtu":
		return "mtu"
	case "bond-slaves", "bond_slaves":
		return "slaves"
	case "bond-xmit-hash-policy":
		return "bond_xmit_hash_policy"
	case "bond-mode":
		return "bond_mode"
	case "bond-miimon":
		return "bond_miimon"
	case "bridge-vlan-aware":
		return "bridge_vlan_aware"
	case "bridge-fd":
		return "bridge_fd"
	case "bridge-stp":
		return "bridge_stp"
	case "bridge-ports":
		return "bridge_ports"
	case "bridge-vids":
		return "bridge_vids"
	}
	return key
}

// simpleKey tells the keys stored verbatim as one value (the last line
// wins).
func simpleKey(key string) bool {
	switch key {
	case "mtu", "ovs_type", "ovs_options", "ovs_bridge",
		"ovs_bonds", "ovs_ports", "bridge_fd", "bridge_vids",
		"bridge-access", "bridge-learning", "bridge-arp-nd-suppress",
		"bridge-unicast-flood", "bridge-multicast-flood",
		"bridge-disable-mac-learning", "bond_miimon",
		"bond_xmit_hash_policy", "bond-primary", "link-type",
		"uplink-id", "vlan-protocol", "vlan-raw-device",
		"vlan-id", "vxlan-id", "vxlan-svcnodeip",
		"vxlan-physdev", "vxlan-local-tunnelip":
		return true
	}
	return false
}

// BondModes maps Linux bond mode names to their numbers.
var BondModes = map[string]int{
	"balance-rr": 0, "active-backup": 1, "balance-xor": 2, "broadcast": 3,
	"802.3ad": 4, "balance-tlb": 5, "balance-alb": 6,
}

// Parse reads an interfaces file. k tells which links are physical and up
// (nil: nothing known, names alone decide). Parse never fails on content:
// like Proxmox it keeps what it does not understand; only read errors are
// returned.
func Parse(r io.Reader, k *Kernel) (*Config, error) {
	// read into a strings.Builder: its String() does not copy the file,
	// and a bytes.Reader writes itself into it in one piece
	var sb strings.Builder
	if _, err := io.Copy(&sb, r); err != nil {
		return nil, fmt.Errorf("read interfaces: %w", err)
	}
	cfg := parseText(sb.String())
	cfg.srcLen = sb.Len()
	if k == nil {
		k = &Kernel{}
	}
	resolve(cfg, k)
	return cfg, nil
}

// parallelMin is the file size from which parseText reads the two halves
// of a file at once, when there are two cores for it. Below it the second
// goroutine and the merge cost more than they save (a variable for the
// tests, which lower it to split every file).
var parallelMin = 64 << 10

// parseText parses the text of a file. A large file is cut at a line that
// ends any stanza (see splitPoint) and both parts are parsed at once; the
// result is the same as one pass over the file, which is taken instead
// when an interface turns up in both parts.
func parseText(src string) *Config {
	if len(src) >= parallelMin && runtime.GOMAXPROCS(0) > 1 {
		if at := splitPoint(src, len(src)/2); at > 0 {
			if cfg := parseHalves(src, at); cfg != nil {
				return cfg
			}
		}
	}
	// a stanza per "iface" is the common case: size the map once
	p := newParser(src, strings.Count(src, "iface")+2)
	p.run()
	return p.cfg
}

func newParser(src string, ifaces int) *parser {
	return &parser{cfg: &Config{Ifaces: make(map[string]*Iface, ifaces)}, prio: 2, src: src}
}

// splitPoint is the start of the first line at or after from (from itself
// when it starts a line) that ends any stanza it would fall in and has no
// white space at its end, or 0 when there is none. At such a line the
// parser is at the top level whatever came before, with nothing carried
// over but its counters, so the text after it parses alone the same as in
// one pass.
func splitPoint(src string, from int) int {
	i := from
	if i > 0 && src[i-1] != '\n' {
		j := strings.IndexByte(src[i:], '\n')
		if j < 0 {
			return 0
		}
		i += j + 1
	}
	for i < len(src) {
		line, _, _ := strings.Cut(src[i:], "\n")
		// a stanza hands the line that ended it back trimmed, the top
		// level reads it as it is: take only lines that are both
		if trimPerlSpaceRight(line) == line && endsStanza(line) {
			return i
		}
		i += len(line) + 1
	}
	return 0
}

// endsStanza tells whether a line (trimmed at the right) ends the stanza
// it follows, as stanza decides.
func endsStanza(line string) bool {
	if _, ok := matchComment(line); ok {
		return false
	}
	if matchStanzaEnd(line) {
		return true
	}
	_, _, _, ok := matchOption(line)
	return !ok
}

// parseHalves parses src[:at] and src[at:] at once and joins them: the
// second part's priorities continue where the first part's stop. It
// returns nil when an interface is named in both parts (its stanzas
// would have to be merged in file order).
func parseHalves(src string, at int) *Config {
	tail := make(chan *parser)
	go func() {
		p := newParser(src[at:], strings.Count(src[at:], "iface")+1)
		p.run()
		tail <- p
	}()
	// the first part's map takes in the second's: size it for both
	p1 := newParser(src[:at], strings.Count(src, "iface")+2)
	p1.run()
	p2 := <-tail
	off := p1.prio - 2
	for name, d := range p2.cfg.Ifaces {
		if _, dup := p1.cfg.Ifaces[name]; dup {
			return nil
		}
		if d.Priority != 0 {
			d.Priority += off
		}
		p1.cfg.Ifaces[name] = d
	}
	for _, l := range p2.cfg.Lines {
		l.Priority += off
		p1.cfg.Lines = append(p1.cfg.Lines, l)
	}
	return p1.cfg
}

type parser struct {
	cfg  *Config
	prio int    // shared by stanzas and top-level lines; 1 is lo's
	src  string // the lines not read yet
	// The interfaces, their family lists and settings are cut from slabs:
	// one allocation per slabSize interfaces instead of three each. Each
	// interface gets its own region with its capacity capped, so an append
	// past it moves that interface's values out and touches no neighbour.
	ifaceSlab []Iface
	strSlab   []string
	attrSlab  []Attr
	// the interface iface returned last, and its name
	lastName string
	last     *Iface
}

const slabSize = 256

// cut returns the next n elements of *slab, length n and capacity
// capped at n, first refilling *slab with n*slabSize when it runs short.
func cut[T any](slab *[]T, n int) []T {
	if len(*slab) < n {
		*slab = make([]T, n*slabSize)
	}
	s := (*slab)[:n:n]
	*slab = (*slab)[n:]
	return s
}

func (p *parser) newIface() *Iface { return &cut(&p.ifaceSlab, 1)[0] }

// set stores a setting, giving the interface room for four from the slab
// first.
func (p *parser) set(d *Iface, k, v string) {
	if d.Attrs == nil {
		d.Attrs = cut(&p.attrSlab, 4)[:0]
	}
	d.Set(k, v)
}

// next returns the next line without its newline (a last empty line does
// not count, as with Perl's split).
func (p *parser) next() (string, bool) {
	if p.src == "" {
		return "", false
	}
	i := strings.IndexByte(p.src, '\n')
	if i < 0 {
		l := p.src
		p.src = ""
		return l, true
	}
	l := p.src[:i]
	p.src = p.src[i+1:]
	return l, true
}

// iface returns the interface called name, entering it first if new. The
// last one is remembered: an `auto NAME` line is mostly followed by NAME's
// stanza, which then needs no look-up.
func (p *parser) iface(name string) *Iface {
	if p.last != nil && p.lastName == name {
		return p.last
	}
	d := p.cfg.Ifaces[name]
	if d == nil {
		d = p.newIface()
		p.cfg.Ifaces[name] = d
	}
	p.lastName, p.last = name, d
	return d
}

// isPerlSpace is the byte set " \t\n\r\f\v" the parser trims lines by.
func isPerlSpace(c byte) bool { return isSpace(c) || c == '\v' }

func trimPerlSpaceLeft(s string) string {
	i := 0
	for i < len(s) && isPerlSpace(s[i]) {
		i++
	}
	return s[i:]
}

func trimPerlSpaceRight(s string) string {
	i := len(s)
	for i > 0 && isPerlSpace(s[i-1]) {
		i--
	}
	return s[:i]
}

// autostart marks the interfaces an auto line lists. The list is split
// like strings.Fields; ASCII text (the common case) is split here at the
// ASCII white space unicode.IsSpace knows, without an iterator.
func (p *parser) autostart(list string) {
	for i := 0; i < len(list); i++ {
		if list[i] >= utf8.RuneSelf {
			for n := range strings.FieldsSeq(list) {
				p.iface(n).Autostart = true
			}
			return
		}
	}
	for i := 0; i < len(list); {
		for i < len(list) && isPerlSpace(list[i]) {
			i++
		}
		j := i
		for j < len(list) && !isPerlSpace(list[j]) {
			j++
		}
		if j > i {
			p.iface(list[i:j]).Autostart = true
		}
		i = j
	}
}

func (p *parser) run() {
	line, ok := p.next()
	for ok {
		if s := trimPerlSpaceLeft(line); s != "" && s[0] == '#' {
			line, ok = p.next()
			continue
		}
		if list, isAuto := matchAuto(line); isAuto {
			p.autostart(list)
		} else if name, fam, method, isIface := matchIface(line); isIface {
			// the stanza hands back the line that ended it
			line, ok = p.stanza(name, fam, method)
			continue
		} else if matchWord(line) {
			p.cfg.Lines = append(p.cfg.Lines, Line{Priority: p.prio, Text: line})
			p.prio++
		}
		line, ok = p.next()
	}
}

// familyData collects what a family stanza holds for itself; it replaces
// the interface's values for that family when the stanza ends.
type familyData struct {
	method   string
	comments *string
	options  []string
	hasOpts  bool
}

func (p *parser) stanza(name, fam, method string) (string, bool) {
	d := p.iface(name)
	if d.Priority == 0 {
		d.Priority = p.prio
		p.prio++
	}
	if d.Families == nil {
		d.Families = cut(&p.strSlab, 2)[:0]
	}
	d.Families = append(d.Families, fam)
	f := &familyData{method: method}
	for {
		line, ok := p.next()
		if !ok {
			p.endFamily(d, fam, f)
			return "", false
		}
		line = trimPerlSpaceRight(line)
		if c, ok := matchComment(line); ok {
			if fam == Typeless {
				d.Comments += c + "\n"
			} else {
				if f.comments == nil {
					s := ""
					f.comments = &s
				}
				*f.comments += c + "\n"
			}
			continue
		}
		if matchStanzaEnd(line) {
			p.endFamily(d, fam, f)
			return line, true
		}
		all, key, value, ok := matchOption(line)
		if !ok {
			p.endFamily(d, fam, f)
			return line, true
		}
		p.option(d, fam, f, all, key, value)
	}
}

func (p *parser) endFamily(d *Iface, fam string, f *familyData) {
	switch fam {
	case Inet:
		d.Method = f.method
		if f.comments != nil {
			d.Comments = *f.comments
		}
		if f.hasOpts {
			d.Options = f.options
		}
	case Inet6:
		d.Method6 = f.method
		if f.comments != nil {
			d.Comments6 = *f.comments
		}
		if f.hasOpts {
			d.Options6 = f.options
		}
	}
}

func (p *parser) option(d *Iface, fam string, f *familyData, line, key, value string) {
	key = keyAlias(key)
	switch {
	case key == "address" || key == "netmask" || key == "broadcast" || key == "gateway":
		six := fam == Inet6 || (fam == Typeless && key != "netmask" && strings.Contains(value, ":"))
		*addrField(d, key, six) = value
	case simpleKey(key):
		p.set(d, key, value)
	case key == "slaves" || key == "bridge_ports":
		str := portList(value)
		if old := d.Attr(key); old != "" {
			if str != "" {
				p.set(d, key, old+" "+str)
			}
		} else {
			p.set(d, key, str)
		}
	case key == "bridge_stp":
		v := strings.ToLower(strings.TrimSpace(value))
		if v == "on" || v == "yes" {
			p.set(d, key, "on")
		} else {
			p.set(d, key, "off")
		}
	case key == "bridge_vlan_aware":
		p.set(d, key, "1")
	case key == "bond_mode":
		for name, n := range BondModes {
			if fmt.Sprint(n) == value {
				value = name
				break
			}
		}
		p.set(d, key, value)
	case key == "vxlan-remoteip":
		d.VXLANRemoteIPs = append(d.VXLANRemoteIPs, value)
	case fam == Typeless:
		d.Options = append(d.Options, line)
	default:
		f.options = append(f.options, line)
		f.hasOpts = true
	}
}

// portList is a port list sorted, without duplicates and "none".
func portList(value string) string {
	single := value != "none" && value != ""
	for i := 0; i < len(value) && single; i++ {
		c := value[i]
		single = c > ' ' && c < 0x80
	}
	if single {
		return value // one name: nothing to sort (the common bridge)
	}
	var devs []string
	for _, w := range strings.Fields(value) {
		if w == "none" {
			continue
		}
		devs = append(devs, w)
	}
	slices.Sort(devs)
	return strings.Join(slices.Compact(devs), " ")
}

// addrField points at address/netmask/broadcast/gateway of one family.
func addrField(d *Iface, key string, six bool) *string {
	switch key {
	case "address":
		if six {
			return &d.Address6
		}
		return &d.Address
	case "netmask":
		if six {
			return &d.Netmask6
		}
		return &d.Netmask
	case "broadcast":
		if six {
			return &d.Broad6
		}
		return &d.Broadcast
	default:
		if six {
			return &d.Gateway6
		}
		return &d.Gateway
	}
}
