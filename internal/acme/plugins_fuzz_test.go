package acme

import (
	"bytes"
	"encoding/base64"
	"testing"

	"hostadm/internal/sectioncfg"
)

// FuzzPluginData: plugin data sent as base64 is stored in plugins.cfg
// (URL-safe base64) and read back as the same text, and the KEY=VALUE
// parser never fails on it.
func FuzzPluginData(f *testing.F) {
	f.Add("CF_Token=abc\nCF_Email=a@b.c\n")
	f.Add("NSUPDATE_KEY=/etc/bind/k.key\r\n\n=x\nnovalue\n")
	f.Add("\x00\xff=\n")
	f.Fuzz(func(t *testing.T, text string) {
		vals, err := fileValues(map[string]any{"data": base64.StdEncoding.EncodeToString([]byte(text)), "api": "cf"})
		if err != nil {
			t.Fatal(err)
		}
		c := sectioncfg.New(PluginSchema())
		if err := c.Create(TypeDNS, "fz", vals); err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := c.Write(&b); err != nil {
			t.Fatal(err)
		}
		back, _, err := sectioncfg.Parse(bytes.NewReader(b.Bytes()), PluginSchema())
		if err != nil {
			t.Fatal(err)
		}
		p := pluginOf(back.Section("fz"))
		if p.DataText != text {
			t.Fatalf("data %q came back as %q", text, p.DataText)
		}
		for k := range p.Data {
			if k == "" {
				t.Fatal("empty key")
			}
		}
	})
}
