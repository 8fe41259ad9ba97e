package acme

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"hostadm/internal/cfs"
	"hostadm/internal/schema"
	"hostadm/internal/sectioncfg"
)

// Plugin types.
const (
	TypeDNS        = "dns"
	TypeStandalone = "standalone"
)

// PluginSchema is plugins.cfg's section-config schema.
func PluginSchema() *sectioncfg.Schema {
	opt := sectioncfg.Option{Optional: true}
	return &sectioncfg.Schema{
		What:       "ACME plugin",
		IDProperty: "id",
		IDFormat:   "pve-configid",
		Properties: PluginProps(),
		Types: map[string]sectioncfg.Options{
			TypeDNS:        {"api": {}, "data": opt, "disable": opt, "nodes": opt, "validation-delay": opt},
			TypeStandalone: {"disable": opt, "nodes": opt},
		},
	}
}

// PluginProps are the plugin properties with Proxmox's schemas.
func PluginProps() schema.Props {
	return schema.Props{
		"api":     schema.Str("API plugin name").OneOf(ProxmoxDNSAPIs()...).Opt(),
		"data":    schema.Str("DNS plugin data. (base64 encoded)").Opt(),
		"disable": schema.Bool("Flag to disable the config.").Opt(),
		"nodes":   schema.Str("List of cluster node names.").Fmt("pve-node-list").Opt(),
		"validation-delay": schema.Int("Extra delay in seconds to wait before requesting validation. " +
			"Allows to cope with a long TTL of DNS records.").Min(0).Max(172800).Def(30),
	}
}

// Plugin is one configured challenge plugin.
type Plugin struct {
	ID, Type string
	API      string
	Data     map[string]string // KEY=VALUE lines, decoded
	DataText string
	Disable  bool
	Nodes    []string
	Delay    int64 // validation-delay, seconds
}

// pluginsFile is plugins.cfg as read, with the version it came from.
type pluginsFile struct {
	cfg     *sectioncfg.Config
	version int64
}

func (s *Service) readPlugins(ctx context.Context) (*pluginsFile, error) {
	e, err := s.cfg.Store.Get(ctx, PluginsPath)
	if errors.Is(err, cfs.ErrNotFound) {
		e = cfs.Entry{Version: cfs.NoVersion}
	} else if err != nil {
		return nil, fmt.Errorf("read %s: %w", PluginsPath, err)
	}
	c, _, err := sectioncfg.Parse(bytes.NewReader(e.Data), PluginSchema())
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", PluginsPath, err)
	}
	return &pluginsFile{cfg: c, version: e.Version}, nil
}

func (s *Service) writePlugins(ctx context.Context, f *pluginsFile) error {
	var b bytes.Buffer
	if err := f.cfg.Write(&b); err != nil {
		return fmt.Errorf("write %s: %w", PluginsPath, err)
	}
	if _, err := s.cfg.Store.Put(ctx, PluginsPath, b.Bytes(), f.version); err != nil {
		return fmt.Errorf("write %s: %w", PluginsPath, err)
	}
	return nil
}

// Plugins lists every plugin (the implied standalone one included) and
// the file's digest.
func (s *Service) Plugins(ctx context.Context) ([]Plugin, string, error) {
	f, err := s.readPlugins(ctx)
	if err != nil {
		return nil, "", err
	}
	var out []Plugin
	hasStandalone := false
	for _, sec := range f.cfg.Sections {
		p := pluginOf(sec)
		hasStandalone = hasStandalone || p.ID == TypeStandalone
		out = append(out, p)
	}
	if !hasStandalone {
		out = append([]Plugin{{ID: TypeStandalone, Type: TypeStandalone}}, out...)
	}
	return out, f.cfg.Digest, nil
}

// Plugin returns one plugin; an unknown id is an error in Proxmox's words.
func (s *Service) Plugin(ctx context.Context, id string) (Plugin, string, error) {
	all, digest, err := s.Plugins(ctx)
	if err != nil {
		return Plugin{}, "", err
	}
	for _, p := range all {
		if p.ID == id {
			return p, digest, nil
		}
	}
	return Plugin{}, "", fmt.Errorf("ACME plugin '%s' not defined", id)
}

func pluginOf(sec *sectioncfg.Section) Plugin {
	p := Plugin{ID: sec.ID, Type: sec.Type, Delay: 30}
	p.API, _ = sec.Props["api"].(string)
	p.Disable, _ = sec.Props["disable"].(bool)
	if d, ok := sec.Props["delay"].(int64); ok {
		p.Delay = d
	}
	if d, ok := sec.Props["validation-delay"].(int64); ok {
		p.Delay = d
	}
	if n, ok := sec.Props["nodes"].(string); ok && n != "" {
		p.Nodes = schema.SplitList(n)
	}
	if raw, ok := sec.Props["data"].(string); ok {
		if b, err := decodeData(raw); err == nil {
			p.DataText = string(b)
		}
	}
	p.Data = parseData(p.DataText)
	return p
}

// decodeData accepts standard and URL-safe base64, padded or not.
func decodeData(v string) ([]byte, error) {
	v = strings.TrimSpace(v)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(v); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("value is not base64 encoded")
}

// parseData reads KEY=VALUE lines; blank lines and lines without '=' are
// ignored, as the UI and acme.sh ignore them.
func parseData(text string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		k, v, ok := strings.Cut(strings.TrimRight(line, "\r"), "=")
		if k = strings.TrimSpace(k); ok && k != "" {
			out[k] = v
		}
	}
	return out
}

// PluginChange is a create or update of a plugin; Values hold the API
// parameters (api, data as base64, disable, nodes, validation-delay).
type PluginChange struct {
	ID, Type string
	Values   map[string]any
	Delete   []string
	Digest   string
}

// CreatePlugin adds a plugin after checking its API and data.
func (s *Service) CreatePlugin(ctx context.Context, ch PluginChange) error {
	return s.editPlugins(ctx, func(f *pluginsFile) error {
		if f.cfg.Section(ch.ID) != nil || ch.ID == TypeStandalone && ch.Type != TypeStandalone {
			return fmt.Errorf("ACME plugin ID '%s' already exists", ch.ID)
		}
		vals, err := fileValues(ch.Values)
		if err != nil {
			return err
		}
		if err := f.cfg.Create(ch.Type, ch.ID, vals); err != nil {
			return pluginError(err)
		}
		return checkPlugin(pluginOf(f.cfg.Section(ch.ID)))
	})
}

// UpdatePlugin changes a plugin, digest-checked.
func (s *Service) UpdatePlugin(ctx context.Context, ch PluginChange) error {
	return s.editPlugins(ctx, func(f *pluginsFile) error {
		if f.cfg.Section(ch.ID) == nil {
			return fmt.Errorf("ACME plugin '%s' not defined", ch.ID)
		}
		vals, err := fileValues(ch.Values)
		if err != nil {
			return err
		}
		if err := f.cfg.Update(ch.ID, vals, ch.Delete, ch.Digest); err != nil {
			return pluginError(err)
		}
		return checkPlugin(pluginOf(f.cfg.Section(ch.ID)))
	})
}

// DeletePlugin removes a plugin; a missing one is no error.
func (s *Service) DeletePlugin(ctx context.Context, id string) error {
	return s.editPlugins(ctx, func(f *pluginsFile) error {
		if f.cfg.Section(id) == nil {
			return errNoChange
		}
		return f.cfg.Delete(id)
	})
}

var errNoChange = errors.New("no change")

func (s *Service) editPlugins(ctx context.Context, edit func(*pluginsFile) error) error {
	unlock, err := s.cfg.Store.Lock(ctx, "acme-plugins", lockWait)
	if err != nil {
		return fmt.Errorf("cfs-lock 'acme-plugins' error: %w", err)
	}
	defer unlock()
	f, err := s.readPlugins(ctx)
	if err != nil {
		return err
	}
	f.cfg = f.cfg.Clone()
	if err := edit(f); errors.Is(err, errNoChange) {
		return nil
	} else if err != nil {
		return err
	}
	return s.writePlugins(ctx, f)
}

// fileValues turns API values into file values: data is decoded from the
// API's base64 and stored as URL-safe base64, as Proxmox stores it.
func fileValues(in map[string]any) (map[string]any, error) {
	out := map[string]any{}
	for k, v := range in {
		out[k] = v
	}
	if d, ok := in["data"].(string); ok {
		b, err := decodeData(d)
		if err != nil {
			return nil, schema.Fail("data", err.Error())
		}
		out["data"] = base64.RawURLEncoding.EncodeToString(b)
	}
	return out, nil
}

// checkPlugin refuses a DNS plugin whose API hostadm does not map or whose
// data lacks the KEYs the API needs.
func checkPlugin(p Plugin) error {
	if p.Type != TypeDNS {
		return nil
	}
	a, ok := LookupDNSAPI(p.API)
	if !ok {
		return schema.Fail("api", fmt.Sprintf("DNS API '%s' is not supported by hostadm (supported: %s)",
			p.API, strings.Join(SupportedNames(), ", ")))
	}
	if msg := a.Missing(p.Data); msg != "" {
		return schema.Fail("data", msg)
	}
	return nil
}

// pluginError turns the codec's value errors into parameter errors.
func pluginError(err error) error {
	var pe schema.ParamError
	if errors.As(err, &pe) || errors.Is(err, sectioncfg.ErrNotFound) || errors.Is(err, sectioncfg.ErrExists) {
		return err
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "missing value for required option 'api'") {
		return schema.Fail("api", "property is missing and it is not optional")
	}
	return err
}
