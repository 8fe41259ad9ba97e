package acme

import (
	"fmt"
	"net"
	"slices"
	"sort"
	"strings"

	"github.com/go-acme/lego/v4/challenge"
	"github.com/go-acme/lego/v4/providers/dns/cloudflare"
	"github.com/go-acme/lego/v4/providers/dns/digitalocean"
	"github.com/go-acme/lego/v4/providers/dns/gandiv5"
	"github.com/go-acme/lego/v4/providers/dns/hetzner"
	"github.com/go-acme/lego/v4/providers/dns/ovh"
	"github.com/go-acme/lego/v4/providers/dns/rfc2136"
	"github.com/go-acme/lego/v4/providers/dns/route53"
)

// Field is one KEY of a DNS API's data, as challenge-schema lists it.
type Field struct {
	Key         string
	Description string
	Optional    bool
}

// DNSAPI is one DNS API hostadm supports: Proxmox's (acme.sh's) name, the
// KEYs of its data, and how to build lego's provider for the same service
// from them. Each entry imports one lego provider package only, which keeps
// the binary small.
type DNSAPI struct {
	Name    string // acme.sh name, e.g. "cf"
	Display string
	Lego    string // lego's provider name
	Fields  []Field
	// Need lists sets of KEYs; the data must hold every KEY of one set.
	Need  [][]string
	build func(d map[string]string) (challenge.Provider, error)
}

// DNSAPIs lists the supported DNS APIs, sorted by name.
func DNSAPIs() []DNSAPI {
	apis := []DNSAPI{
		{Name: "nsupdate", Display: "nsupdate (RFC 2136)", Lego: "rfc2136",
			Fields: []Field{
				{"NSUPDATE_SERVER", "Server hostname or IP address", false},
				{"NSUPDATE_SERVER_PORT", "Server port (default 53)", true},
				{"NSUPDATE_KEY", "File path to the TSIG key file on the node (BIND key format)", false},
				{"NSUPDATE_ZONE", "Zone to update (default: found through SOA lookups)", true},
			},
			Need: [][]string{{"NSUPDATE_SERVER", "NSUPDATE_KEY"}}, build: buildNsupdate},
		{Name: "cf", Display: "Cloudflare Managed DNS", Lego: "cloudflare",
			Fields: []Field{
				{"CF_Token", "API token (Zone.DNS edit)", true},
				{"CF_Account_ID", "Account ID (not needed: lego finds the zone)", true},
				{"CF_Zone_ID", "Zone ID (not needed: lego finds the zone)", true},
				{"CF_Key", "Global API key (with CF_Email)", true},
				{"CF_Email", "Account e-mail (with CF_Key)", true},
			},
			Need: [][]string{{"CF_Token"}, {"CF_Key", "CF_Email"}}, build: buildCloudflare},
		{Name: "ovh", Display: "OVH", Lego: "ovh",
			Fields: []Field{
				{"OVH_END_POINT", "Endpoint, e.g. ovh-eu (default), ovh-ca, kimsufi-eu", true},
				{"OVH_AK", "Application key", false},
				{"OVH_AS", "Application secret", false},
				{"OVH_CK", "Consumer key", false},
			},
			Need: [][]string{{"OVH_AK", "OVH_AS", "OVH_CK"}}, build: buildOVH},
		{Name: "aws", Display: "Amazon Route53 (AWS)", Lego: "route53",
			Fields: []Field{
				{"AWS_ACCESS_KEY_ID", "Access key ID", false},
				{"AWS_SECRET_ACCESS_KEY", "Secret access key", false},
				{"AWS_SESSION_TOKEN", "Session token", true},
				{"AWS_DNS_SLOWRATE", "Ignored (lego paces its own requests)", true},
			},
			Need: [][]string{{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}}, build: buildRoute53},
		{Name: "hetzner", Display: "Hetzner DNS console", Lego: "hetzner",
			Fields: []Field{{"HETZNER_Token", "API token of dns.hetzner.com", false}},
			Need:   [][]string{{"HETZNER_Token"}}, build: buildHetzner("HETZNER_Token", false)},
		{Name: "hetznercloud", Display: "Hetzner Cloud DNS", Lego: "hetzner",
			Fields: []Field{{"HETZNER_TOKEN", "Hetzner Cloud API token", false}},
			Need:   [][]string{{"HETZNER_TOKEN"}}, build: buildHetzner("HETZNER_TOKEN", true)},
		{Name: "dgon", Display: "DigitalOcean DNS", Lego: "digitalocean",
			Fields: []Field{{"DO_API_KEY", "API token", false}},
			Need:   [][]string{{"DO_API_KEY"}}, build: buildDigitalOcean},
		{Name: "gandi_livedns", Display: "Gandi LiveDNS", Lego: "gandiv5",
			Fields: []Field{
				{"GANDI_LIVEDNS_TOKEN", "Personal access token", true},
				{"GANDI_LIVEDNS_KEY", "API key (deprecated by Gandi)", true},
			},
			Need: [][]string{{"GANDI_LIVEDNS_TOKEN"}, {"GANDI_LIVEDNS_KEY"}}, build: buildGandi},
	}
	sort.Slice(apis, func(i, j int) bool { return apis[i].Name < apis[j].Name })
	return apis
}

// LookupDNSAPI finds a supported API by its acme.sh name.
func LookupDNSAPI(name string) (DNSAPI, bool) {
	apis := DNSAPIs()
	i := slices.IndexFunc(apis, func(a DNSAPI) bool { return a.Name == name })
	if i < 0 {
		return DNSAPI{}, false
	}
	return apis[i], true
}

// SupportedNames lists the acme.sh names hostadm maps.
func SupportedNames() []string {
	var out []string
	for _, a := range DNSAPIs() {
		out = append(out, a.Name)
	}
	return out
}

// Missing returns "" when d has every KEY of one Need set, else a message
// naming the KEYs needed.
func (a DNSAPI) Missing(d map[string]string) string {
	var alts []string
	for _, set := range a.Need {
		ok := true
		for _, k := range set {
			if strings.TrimSpace(d[k]) == "" {
				ok = false
			}
		}
		if ok {
			return ""
		}
		alts = append(alts, strings.Join(set, " and "))
	}
	return fmt.Sprintf("DNS API '%s' needs %s in data", a.Name, strings.Join(alts, ", or "))
}

// Provider builds lego's provider from plugin data.
func (a DNSAPI) Provider(d map[string]string) (challenge.Provider, error) {
	if msg := a.Missing(d); msg != "" {
		return nil, fmt.Errorf("%s", msg)
	}
	p, err := a.build(d)
	if err != nil {
		return nil, fmt.Errorf("DNS API '%s' (lego %s): %w", a.Name, a.Lego, err)
	}
	return p, nil
}

func buildNsupdate(d map[string]string) (challenge.Provider, error) {
	c := rfc2136.NewDefaultConfig()
	port := d["NSUPDATE_SERVER_PORT"]
	if port == "" {
		port = "53"
	}
	c.Nameserver = net.JoinHostPort(d["NSUPDATE_SERVER"], port)
	c.TSIGFile = d["NSUPDATE_KEY"]
	if z := d["NSUPDATE_ZONE"]; z != "" {
		c.Zones = []string{z}
	}
	return rfc2136.NewDNSProviderConfig(c)
}

func buildCloudflare(d map[string]string) (challenge.Provider, error) {
	c := cloudflare.NewDefaultConfig()
	c.AuthToken, c.AuthKey, c.AuthEmail = d["CF_Token"], d["CF_Key"], d["CF_Email"]
	return cloudflare.NewDNSProviderConfig(c)
}

func buildOVH(d map[string]string) (challenge.Provider, error) {
	c := ovh.NewDefaultConfig()
	c.APIEndpoint = d["OVH_END_POINT"]
	if c.APIEndpoint == "" {
		c.APIEndpoint = "ovh-eu"
	}
	c.ApplicationKey, c.ApplicationSecret, c.ConsumerKey = d["OVH_AK"], d["OVH_AS"], d["OVH_CK"]
	return ovh.NewDNSProviderConfig(c)
}

func buildRoute53(d map[string]string) (challenge.Provider, error) {
	c := route53.NewDefaultConfig()
	c.AccessKeyID, c.SecretAccessKey, c.SessionToken = d["AWS_ACCESS_KEY_ID"], d["AWS_SECRET_ACCESS_KEY"], d["AWS_SESSION_TOKEN"]
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	return route53.NewDNSProviderConfig(c)
}

func buildHetzner(key string, cloud bool) func(d map[string]string) (challenge.Provider, error) {
	return func(d map[string]string) (challenge.Provider, error) {
		c := hetzner.NewDefaultConfig()
		if cloud {
			c.APIToken = d[key]
		} else {
			//lint:ignore SA1019 the old Hetzner DNS console API takes the key; lego keeps APIKey for it
			c.APIKey = d[key]
		}
		return hetzner.NewDNSProviderConfig(c)
	}
}

func buildDigitalOcean(d map[string]string) (challenge.Provider, error) {
	c := digitalocean.NewDefaultConfig()
	c.AuthToken = d["DO_API_KEY"]
	return digitalocean.NewDNSProviderConfig(c)
}

func buildGandi(d map[string]string) (challenge.Provider, error) {
	c := gandiv5.NewDefaultConfig()
	c.PersonalAccessToken, c.APIKey = d["GANDI_LIVEDNS_TOKEN"], d["GANDI_LIVEDNS_KEY"]
	return gandiv5.NewDNSProviderConfig(c)
}
