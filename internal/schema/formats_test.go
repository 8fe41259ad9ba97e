package schema

import (
	"fmt"
	"strings"
	"testing"
)

// formatCase lists values a named format must accept and values it must
// reject, with the message for the first rejected one when it is fixed.
type formatCase struct {
	good, bad []string
	msg       string // message for bad[0], without the trailing newline
}

var formatCases = map[string]formatCase{
	"pve-node": {
		good: []string{"a", "pve1", "PVE-node-01", "1", "a-b"},
		bad:  []string{"-pve", "pve-", "pve_1", "pve.example", "", "pve 1", "né"},
		msg:  "value does not look like a valid node name",
	},
	"pve-iface": {
		good: []string{"eth0", "vmbr0", "bond0.100", "eth0:1", "EnP3S0", "ab", "a2345678901234567890"},
		bad:  []string{"a", "0eth", "eth-0", "eth0.", "eth0.a", "a23456789012345678901", "", "eth 0"},
		msg:  "invalid network interface name 'a'",
	},
	"pve-configid": {
		good: []string{"ab", "net0", "Delete_me", "a-b", "A1"},
		bad:  []string{"a", "0ab", "a.b", "", "_ab", "a b"},
		msg:  "invalid configuration ID 'a'",
	},
	"pve-storage-id": {
		good: []string{"ab", "local", "local-lvm", "my.store_1", "Z9"},
		bad:  []string{"a", "1local", "local-", "local.", "lo cal", "", "-ab"},
		msg:  "storage ID 'a' contains illegal characters",
	},
	"pve-storage-vgname": {
		good: []string{"pve", "ubuntu-vg", "vg_data.1", "0vg", "VG9", "ab"},
		bad: []string{"-vg", "--config=log{file=\"/etc/cron.d/x\" level=7}", "a", "vg-", "vg.", "v g",
			"vg/lv", "", "vg+1", "_vg"},
		msg: "lvm name '-vg' contains illegal characters",
	},
	"zfs-dataset-name": {
		good: []string{"tank", "rpool/data", "tank/vm-100-disk-0", "a", "pool_1.x:y", "my pool/sub dir",
			"tank/-r"},
		bad: []string{"-r", "", "1tank", "tank/", "/tank", "tank//x", "tank@snap", "tank#b", " tank",
			"tank ", "tank/x ", strings.Repeat("a", 256)},
		msg: "invalid ZFS pool or dataset name '-r'",
	},
	"pve-startup-order": {
		good: []string{"1", "order=2,up=30,down=60", "up=5", "3,up=5", "down=0"},
		bad:  []string{"order=x", "up=-1", "foo=1", "1,2", "order=1,,up=2"},
		msg:  "value does not look like a valid startup order",
	},
	"pve-tag": {
		good: []string{"prod", "web-1", "a_b.c+d", "UPPER"},
		bad:  []string{"-lead", "a b", "x;y", ""},
		msg:  "invalid characters in tag",
	},
	"pve-vm-cpu-conf": {
		good: []string{"host", "cputype=kvm64", "x86-64-v2-AES", "host,flags=+aes"},
		bad:  []string{"", "a b", "cputype="},
		msg:  "value does not look like a valid CPU type",
	},
	"pve-vmid": {
		good: []string{"100", "999", "123456789", "999999999"},
		bad:  []string{"99", "0100", "1000000000", "", "+100", "-100", "1e3"},
		msg:  "value does not look like a valid VM ID",
	},
	"mac-addr": {
		good: []string{"02:00:00:00:00:01", "BC:24:11:AA:bb:cc", "00:00:00:00:00:00", "fe:ff:ff:ff:ff:ff"},
		bad: []string{"01:00:00:00:00:00", "ff:ff:ff:ff:ff:ff", "03:00:00:00:00:00",
			"02:00:00:00:00", "02-00-00-00-00-01", "0200.0000.0001", "02:00:00:00:00:0g", "2:0:0:0:0:1"},
		msg: "value does not look like a valid unicast MAC address",
	},
	"ipv4": {
		good: []string{"0.0.0.0", "10.0.0.1", "255.255.255.255", "192.168.1.254"},
		bad: []string{"256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "::1", "::ffff:1.2.3.4",
			"1.2.3.4/24", " 1.2.3.4", ""},
		msg: "value does not look like a valid IPv4 address",
	},
	"ipv6": {
		good: []string{"::", "::1", "fe80::1", "2001:db8::", "2001:0db8:0000:0000:0000:ff00:0042:8329",
			"::ffff:192.0.2.1", "64:ff9b::192.0.2.33", "1:2:3:4:5:6:1.2.3.4"},
		bad: []string{"fe80::1%eth0", "1.2.3.4", ":::", "1:2:3:4:5:6:7:8:9", "12345::", "g::1",
			"[::1]", "::1/64", ""},
		msg: "value does not look like a valid IPv6 address",
	},
	"ip": {
		good: []string{"10.0.0.1", "::1", "::ffff:10.0.0.1"},
		bad:  []string{"fe80::1%1", "10.0.0", "host", ""},
		msg:  "value does not look like a valid IP address",
	},
	"ipv4mask": {
		good: validMasks(),
		bad:  []string{"255.0.255.0", "255.255.255.1", "0.255.255.255", "128.0.0.1", "255.255.0", "24", ""},
		msg:  "value does not look like a valid IP netmask",
	},
	"CIDRv4": {
		good: []string{"10.0.0.0/8", "192.168.1.7/24", "1.2.3.4/32", "10.0.0.0/024"},
		bad: []string{"10.0.0.0/7", "10.0.0.0/33", "10.0.0.0", "10.0.0.0/", "10.0.0.0/+24", "10.0.0.0/a",
			"::1/64", "10.0.0.0/24/1", "300.0.0.0/24", "10.0.0.0/-8"},
		msg: "value does not look like a valid IPv4 CIDR network",
	},
	"CIDRv6": {
		good: []string{"fd00::/8", "2001:db8::1/64", "::1/128", "::ffff:1.2.3.4/96"},
		bad:  []string{"fd00::/7", "fd00::/129", "fd00::", "fe80::1%eth0/64", "10.0.0.0/24", "fd00::/+64"},
		msg:  "value does not look like a valid IPv6 CIDR network",
	},
	"CIDR": {
		good: []string{"10.0.0.0/8", "fd00::/64"},
		bad:  []string{"10.0.0.0/7", "fd00::/7", "x/8"},
		msg:  "value does not look like a valid CIDR network",
	},
	"address": {
		good: []string{"10.0.0.1", "::1", "pve.example.com", "localhost"},
		bad:  []string{"fe80::1%eth0", "-bad.example", "a..b", ""},
		msg:  "value does not look like a valid address: fe80::1%eth0",
	},
	"dns-name": {
		good: []string{"a", "example.com", "a-b.c-d.e", "xn--bcher-kva.example", "1.2.3.4"},
		bad:  []string{"-a.com", "a-.com", "a..com", ".a", "a.", "a_b.com", ""},
		msg:  "value does not look like a valid DNS name",
	},
	"graphite-path": {
		good: []string{"proxmox", "proxmox.pve1"},
		bad:  []string{"a/b", "a.", ""},
		msg:  "value does not look like a valid graphite path",
	},
	"email": {
		good: []string{"root@localhost", "first.last+tag@example.com", "a~b-c_d@ex-ample.org"},
		bad:  []string{"root", "@example.com", "a@", "a..b@example.com", "a@b_c.com", "a b@example.com", ""},
		msg:  "value does not look like a valid email address",
	},
	"email-opt": {
		good: []string{"", "root@localhost"},
		bad:  []string{"root"},
		msg:  "value does not look like a valid email address",
	},
	"pve-vlan-id-or-range": {
		good: []string{"2", "4094", "100", "2-4094", "10-20", "0010"},
		bad:  []string{"1", "4095", "20-10", "10-10", "+5", "5-+10", "", "a", "2-", "-2", "2-3-4", " 2"},
		msg:  "invalid VLAN tag '1'",
	},
	"pve-task-status-type": {
		good: []string{"ok", "error", "warning", "unknown", "OK", "Error"},
		bad:  []string{"failed", "", "ok ", "okay"},
		msg:  "invalid status 'failed'",
	},
	"pve-acme-domain": {
		// A leading "*." is hostadm's extension for wildcard certificates
		// over dns-01; a star anywhere else stays refused.
		good: []string{"example.com", "a.b.c", "pve-1.example.com", "x.example.com", "a_b.example", "EXAMPLE.COM", "*.example.com"},
		bad:  []string{"example", "-a.com", "_a.example.com", "a..com", ".a.com", "a.com.", "a.*.example.com", "*.*.example.com", "*example.com", "*.com", ""},
		msg:  "value does not look like a valid domain name",
	},
	"pve-acme-alias": {
		good: []string{"_acme-challenge.example.com", "a.b"},
		bad:  []string{"example", "-a.com"},
		msg:  "value does not look like a valid alias name",
	},
	"pem-certificate": {
		good: []string{
			testCert,
			"leading text\n" + testCert,
			testCert + "\n\n",
			strings.ReplaceAll(testCert, "\n-----END", "\n\n-----END"),
			"-----BEGIN CERTIFICATE-----\nMIIB\nAAA=\n-----END CERTIFICATE-----",
		},
		bad: []string{
			"",
			"MIIBszCCAVmgAwIBAgIUe",
			testCert + testCert,
			testCert + "trailing text",
			strings.Replace(testCert, "END CERTIFICATE", "END PRIVATE KEY", 1),
			strings.ReplaceAll(testCert, "CERTIFICATE", "PRIVATE KEY"),
			strings.Replace(testCert, "MIIB", "MI!B", 1),
			"-----BEGIN CERTIFICATE-----\nMIIB\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
		},
		msg: "not a valid PEM-formatted string.",
	},
	"pem-certificate-chain": {
		good: []string{testCert, testCert + testCert, testCert + "\n" + testCert, "intro\n" + testCert + testCert},
		bad: []string{"", testCert + "junk\n" + testCert,
			testCert + strings.ReplaceAll(testCert, "CERTIFICATE", "PRIVATE KEY")},
		msg: "not a valid PEM-formatted string.",
	},
	"pem-string": {
		good: []string{testCert, strings.ReplaceAll(testCert, "CERTIFICATE", "PRIVATE KEY"), "x\n" + testCert},
		bad:  []string{"", testCert + testCert, "no pem at all"},
		msg:  "not a valid PEM-formatted string.",
	},
	"pve-realm": {
		good: []string{"pam", "pve", "my-ldap.1"},
		bad:  []string{"p", "1pam", "pa m", strings.Repeat("a", 33)},
		msg:  "realm 'p' does not look like a valid realm name",
	},
	"pve-userid": {
		good: []string{"root@pam", "john.doe@pve", "a@b1"},
		bad:  []string{"root", "root@p", "ro ot@pam", "ro:ot@pam", "a/b@pam", strings.Repeat("a", 61) + "@pam"},
		msg:  "value 'root' does not look like a valid user name",
	},
	"pve-tokenid": {
		good: []string{"root@pam!mytoken", "a@pve!t1"},
		bad:  []string{"root@pam", "root@pam!", "root@pam!1x", "!tok"},
		msg:  "value 'root@pam' does not look like a valid token ID",
	},
	"pve-roleid": {
		good: []string{"Administrator", "PVE.Audit-2"},
		bad:  []string{"a b", ""},
		msg:  "role name 'a b' contains invalid characters",
	},
	"pve-groupid": {
		good: []string{"admins", "g.1_x-y"},
		bad:  []string{"a/b", ""},
		msg:  "group name 'a/b' contains invalid characters",
	},
	"pve-dir-override": {
		good: []string{"iso=isos", "backup=dumps/2024", "images=.hidden/a.b", "iso=/abs/path"},
		bad:  []string{"iso=../../etc", "iso=a/../b", "backup=..", "iso=a..b", "bogus=dir", "iso=", "iso"},
		msg:  "invalid override 'iso=../../etc'",
	},
	"string": {
		good: []string{"", "anything at all", "\x00"},
	},
	"urlencoded": {
		good: []string{"", "a%20b", "~*'()"},
		bad:  []string{"a\nb", "\x7f"},
		msg:  "invalid urlencoded string",
	},
}

// testCert is a syntactically valid PEM certificate block (the checks do
// not decode the DER).
const testCert = `-----BEGIN CERTIFICATE-----
MIIBszCCAVmgAwIBAgIUeTWQxxV8gVq/vU3p0Zb0F5mRrzswCgYIKoZIzj0EAwIw
DzENMAsGA1UEAwwEdGVzdDAeFw0yNDAxMDEwMDAwMDBaFw0zNDAxMDEwMDAwMDBa
MA8xDTALBgNVBAMMBHRlc3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQ=
-----END CERTIFICATE-----
`

func validMasks() []string {
	var out []string
	for bits := 0; bits <= 32; bits++ {
		m := ^uint32(0) << (32 - bits)
		if bits == 0 {
			m = 0
		}
		out = append(out, fmt.Sprintf("%d.%d.%d.%d", m>>24, m>>16&0xff, m>>8&0xff, m&0xff))
	}
	return out
}

func TestFormats(t *testing.T) {
	for name, fc := range formatCases {
		t.Run(name, func(t *testing.T) {
			if !HasFormat(name) {
				t.Fatalf("HasFormat(%q) = false", name)
			}
			for _, v := range fc.good {
				if msg := CheckFormat(name, v); msg != "" {
					t.Errorf("CheckFormat(%q, %q) = %q, want accepted", name, v, msg)
				}
			}
			for i, v := range fc.bad {
				msg := CheckFormat(name, v)
				if msg == "" {
					t.Errorf("CheckFormat(%q, %q) accepted, want rejected", name, v)
					continue
				}
				if !strings.HasSuffix(msg, "\n") || strings.Count(msg, "\n") != 1 {
					t.Errorf("CheckFormat(%q, %q) = %q, want one line ending in a newline", name, v, msg)
				}
				if i == 0 && fc.msg != "" && msg != fc.msg+"\n" {
					t.Errorf("CheckFormat(%q, %q) = %q, want %q", name, v, msg, fc.msg+"\n")
				}
			}
		})
	}
}

func TestEveryFormatTested(t *testing.T) {
	for name := range formats {
		if _, ok := formatCases[name]; !ok {
			t.Errorf("format %q has no test cases", name)
		}
	}
}

func TestIPv4MaskCount(t *testing.T) {
	// Exactly the 33 prefix masks are valid: check every mask with one bit
	// flipped from a valid one is rejected, and the list has no duplicates.
	seen := map[string]bool{}
	for _, m := range validMasks() {
		if seen[m] {
			t.Fatalf("duplicate mask %s", m)
		}
		seen[m] = true
	}
	if len(seen) != 33 {
		t.Fatalf("%d masks, want 33", len(seen))
	}
	for bit := range 32 {
		v := uint32(1) << bit
		for _, base := range []uint32{0, 0xffffffff} {
			m := base ^ v
			s := fmt.Sprintf("%d.%d.%d.%d", m>>24, m>>16&0xff, m>>8&0xff, m&0xff)
			if got := CheckFormat("ipv4mask", s) == ""; got != seen[s] {
				t.Errorf("ipv4mask %s accepted=%v, want %v", s, got, seen[s])
			}
		}
	}
}

func TestVLANMessages(t *testing.T) {
	tests := map[string]string{
		"1":       "invalid VLAN tag '1'\n",
		"4095":    "invalid VLAN tag '4095'\n",
		"2-5000":  "invalid VLAN tag '5000'\n",
		"20-10":   "VLAN range must go from lower to higher tag '20-10'\n",
		"10-10":   "VLAN range must go from lower to higher tag '10-10'\n",
		"+5":      "invalid VLAN configuration '+5'\n",
		"5-":      "invalid VLAN configuration '5-'\n",
		"5-6-7":   "invalid VLAN configuration '5-6-7'\n",
		"2-4094":  "",
		"0002-03": "",
	}
	for v, want := range tests {
		if got := CheckFormat("pve-vlan-id-or-range", v); got != want {
			t.Errorf("CheckFormat(pve-vlan-id-or-range, %q) = %q, want %q", v, got, want)
		}
	}
}

func TestListFormats(t *testing.T) {
	tests := []struct {
		format, value, msg string
	}{
		{"pve-configid-list", "", ""},
		{"pve-configid-list", " , ;", ""},
		{"pve-configid-list", "net0,net1;net2 net3\tnet4\nnet5\x00net6\rnet7\fnet8\vnet9", ""},
		{"pve-configid-list", "net0,,net1", ""},
		{"pve-configid-list", "net0,1x", "invalid configuration ID '1x'\n"},
		{"pve-iface-list", "eth0 vmbr0.10", ""},
		{"pve-iface-list", "eth0 e", "invalid network interface name 'e'\n"},
		{"pve-vmid-list", "100,101", ""},
		{"pve-vmid-list", "100,99", "value does not look like a valid VM ID\n"},
		{"email-list", "a@b.c d@e.f", ""},
		{"string-list", "anything, goes", ""},
		{"pve-node-list", "pve1,pve2", ""},
		{"ipv4-list", "1.2.3.4;1.2.3", "value does not look like a valid IPv4 address\n"},
	}
	for _, tt := range tests {
		if got := CheckFormat(tt.format, tt.value); got != tt.msg {
			t.Errorf("CheckFormat(%q, %q) = %q, want %q", tt.format, tt.value, got, tt.msg)
		}
	}
}

func TestSplitList(t *testing.T) {
	got := SplitList(" a,b;;c d\te\nf\x00g\rh\fi\vj, ")
	want := "a b c d e f g h i j"
	if strings.Join(got, " ") != want {
		t.Errorf("SplitList = %q, want %q", got, want)
	}
	if got := SplitList(""); len(got) != 0 {
		t.Errorf("SplitList(\"\") = %q, want none", got)
	}
}

func TestHasFormat(t *testing.T) {
	for _, name := range []string{"pve-node", "pve-node-list", "pve-priv-list", "string-list", "pve-configid-list"} {
		if !HasFormat(name) {
			t.Errorf("HasFormat(%q) = false", name)
		}
	}
	for _, name := range []string{"no-such-format", "no-such-list", ""} {
		if HasFormat(name) {
			t.Errorf("HasFormat(%q) = true", name)
		}
	}
	// Unknown formats are not checked (the schema declarations are tested
	// for known formats where they are declared).
	if msg := CheckFormat("no-such-format", "x"); msg != "" {
		t.Errorf("CheckFormat(unknown) = %q", msg)
	}
}
