package ifaces

import (
	"regexp"
	"slices"
	"testing"
)

// The expressions the hand-written matchers stand for.
var (
	oracleAuto      = regexp.MustCompile(`^\s*(?:allow-auto|auto|allow-ovs|allow-hotplug)\s+(.*)$`)
	oracleIface     = regexp.MustCompile(`^\s*iface\s+(\S+)(?:\s+(inet6?)\s+(\S+))?\s*$`)
	oracleStanzaEnd = regexp.MustCompile(`^\s*(?:(?:iface|mapping|auto|source|source-directory)\s|allow-)`)
	oracleComment   = regexp.MustCompile(`^\s*#(.*?)\s*$`)
	oracleOption    = regexp.MustCompile(`^\s*((\S+)\s+(.+))$`)
	oracleWord      = regexp.MustCompile(`\w`)
	oracleVLANName  = regexp.MustCompile(`^(\S+)\.(\d+)$`)
	oracleAlias     = regexp.MustCompile(`^(\S+):\d+$`)
	oracleVLANN     = regexp.MustCompile(`^vlan(\d+)$`)
	oracleBond      = regexp.MustCompile(`^bond\d+$`)
	oracleCIDR      = regexp.MustCompile(`^(.+)/(\d+)$`)
	oracleDigits    = regexp.MustCompile(`^\d+$`)
	oracleSlashBits = regexp.MustCompile(`/\d+$`)
	oracleNameSep   = regexp.MustCompile(`[.:]`)
	oracleAttrKey   = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
)

// checkMatchers compares every matcher with its expression on s.
func checkMatchers(t *testing.T, s string) {
	t.Helper()
	sub := func(re *regexp.Regexp) []string { return re.FindStringSubmatch(s) }
	if m, ok := matchAuto(s); ok != (sub(oracleAuto) != nil) || (ok && m != sub(oracleAuto)[1]) {
		t.Errorf("matchAuto(%q) = %q, %v; want %q", s, m, ok, sub(oracleAuto))
	}
	n, f, me, ok := matchIface(s)
	if w := sub(oracleIface); ok != (w != nil) || (ok && !slices.Equal([]string{n, f, me}, w[1:])) {
		t.Errorf("matchIface(%q) = %q %q %q %v; want %q", s, n, f, me, ok, w)
	}
	if ok := matchStanzaEnd(s); ok != oracleStanzaEnd.MatchString(s) {
		t.Errorf("matchStanzaEnd(%q) = %v", s, ok)
	}
	if c, ok := matchComment(s); ok != (sub(oracleComment) != nil) || (ok && c != sub(oracleComment)[1]) {
		t.Errorf("matchComment(%q) = %q, %v; want %q", s, c, ok, sub(oracleComment))
	}
	a, k, v, ok := matchOption(s)
	if w := sub(oracleOption); ok != (w != nil) || (ok && !slices.Equal([]string{a, k, v}, w[1:])) {
		t.Errorf("matchOption(%q) = %q %q %q %v; want %q", s, a, k, v, ok, w)
	}
	if matchWord(s) != oracleWord.MatchString(s) {
		t.Errorf("matchWord(%q) = %v", s, matchWord(s))
	}
	p, id, ok := cutVLANName(s)
	if w := sub(oracleVLANName); ok != (w != nil) || (ok && (p != w[1] || id != w[2])) {
		t.Errorf("cutVLANName(%q) = %q %q %v; want %q", s, p, id, ok, w)
	}
	if b, ok := cutAliasName(s); ok != (sub(oracleAlias) != nil) || (ok && b != sub(oracleAlias)[1]) {
		t.Errorf("cutAliasName(%q) = %q %v", s, b, ok)
	}
	if id, ok := cutPrefixDigits(s, "vlan"); ok != (sub(oracleVLANN) != nil) || (ok && id != sub(oracleVLANN)[1]) {
		t.Errorf("cutPrefixDigits(%q, vlan) = %q %v", s, id, ok)
	}
	if _, ok := cutPrefixDigits(s, "bond"); ok != oracleBond.MatchString(s) {
		t.Errorf("cutPrefixDigits(%q, bond) = %v", s, ok)
	}
	a, b, ok := cutCIDR(s)
	if w := sub(oracleCIDR); ok != (w != nil) || (ok && (a != w[1] || b != w[2])) {
		t.Errorf("cutCIDR(%q) = %q %q %v; want %q", s, a, b, ok, w)
	}
	if allDigits(s) != oracleDigits.MatchString(s) {
		t.Errorf("allDigits(%q) = %v", s, allDigits(s))
	}
	if hasSlashBits(s) != oracleSlashBits.MatchString(s) {
		t.Errorf("hasSlashBits(%q) = %v", s, hasSlashBits(s))
	}
	if isAttrKey(s) != oracleAttrKey.MatchString(s) {
		t.Errorf("isAttrKey(%q) = %v", s, isAttrKey(s))
	}
	if got, want := slices.Collect(listItems(s)), splitList(s); !slices.Equal(got, want) {
		t.Errorf("listItems(%q) = %q; want %q", s, got, want)
	}
	parts := oracleNameSep.Split(s, -1)
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	root, depth := rootAndDepth(s)
	if depth != len(parts) || (depth > 0 && root != parts[0]) {
		t.Errorf("rootAndDepth(%q) = %q %d; want %q", s, root, depth, parts)
	}
}

func TestMatchers(t *testing.T) {
	for _, s := range []string{
		"", " ", "auto", "auto ", "auto lo", " allow-hotplug  eno1 eno2 ", "allow-autox y", "auto\tx\ny", "auto \n x",
		"iface", "iface x", "iface x inet", "iface x inet static", " iface\tx\tinet6\tdhcp \t", "iface x inet static y",
		"iface x inet4 static", "ifacex y", "iface x\vinet static", "mapping x", "source-directory d", "source-x",
		"allow-", "#", " # c  ", "#a\nb", "#a\n ", "\taddress 10.0.0.1/24", "key  ", "key \n", "key", " k v\n",
		"eno1.100", ".5", "a b.5", "eno1.", "eno1:3", "vlan7", "vlan", "bond0", "bond", "10.0.0.1/24", "/24",
		"a\n/2", "x/", "1234", "a.b:c..", "...", "a..b", "\u00a0x y", "é_", "\xff.1", "bridge_ports", "a-b.c", "a b", "[",
	} {
		checkMatchers(t, s)
	}
}

func FuzzMatchers(f *testing.F) {
	for _, s := range []string{"auto lo", "iface x inet static", "#c", "\tk v", "eno1.5", "a:1", "10.0.0.1/8", "a.b:c"} {
		f.Add(s)
	}
	f.Fuzz(checkMatchers)
}

func TestListItems(t *testing.T) {
	for _, s := range []string{"", "a", " a,b;;c\td\x00e ", "é,\xffx", ",,,", "a\u00a0b"} {
		if got, want := slices.Collect(listItems(s)), splitList(s); !slices.Equal(got, want) {
			t.Errorf("listItems(%q) = %q; want %q", s, got, want)
		}
	}
}
