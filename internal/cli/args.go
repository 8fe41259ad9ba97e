package cli

import (
	"fmt"
	"strings"

	"hostadm/internal/api"
	"hostadm/internal/schema"
)

// globalFlags are the options every CLI tool takes besides API parameters.
type globalFlags struct {
	Root         string
	DataDir      string
	Node         string
	Host         string // https://host:8006: go over the network
	Token        string // user@realm!name=secret, for --host
	Fingerprint  string // expected SHA-256 fingerprint of the server certificate
	Insecure     bool
	OutputFormat string // text, json, json-pretty
	NoBorder     bool
	NoHeader     bool
	Verbose      bool
	Help         bool
	// light is the API without services the command routed its endpoint
	// with (nil: none yet); the in-process client answers NoServices
	// endpoints with it rather than building the table a second time.
	light *api.API
}

var globalNames = map[string]bool{
	"root": true, "data-dir": true, "node": true, "host": true, "token": true,
	"fingerprint": true, "insecure": false, "output-format": true,
	"noborder": false, "noheader": false, "verbose": false, "help": false,
}

// parsed is a command line split into positional words, global flags and
// API parameters.
type parsed struct {
	words  []string
	global globalFlags
	params map[string]any
}

// parseArgs splits args. Booleans in schema (API parameters) and the
// global switches may stand alone; every other --name takes a value, given
// as the next argument or after "=". Repeated names become lists.
func parseArgs(args []string, params *schema.Schema) (*parsed, error) {
	p := &parsed{params: map[string]any{}, global: globalFlags{OutputFormat: "text"}}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "--") || a == "--" {
			if a == "--" {
				p.words = append(p.words, args[i+1:]...)
				break
			}
			p.words = append(p.words, a)
			continue
		}
		name, value, hasValue := strings.Cut(a[2:], "=")
		takesValue, isGlobal := globalNames[name]
		isBool := !isGlobal && params != nil && params.Properties[name] != nil && params.Properties[name].Type == schema.TBoolean
		if isGlobal && !takesValue || isBool {
			if !hasValue {
				value = "1"
				if i+1 < len(args) && isBoolWord(args[i+1]) {
					value, i = args[i+1], i+1
				}
			}
			value = normBool(value)
		} else if !hasValue {
			if i+1 >= len(args) {
				return nil, usageError{fmt.Sprintf("option --%s requires a value", name)}
			}
			value, i = args[i+1], i+1
		}
		if isGlobal {
			p.global.set(name, value)
			continue
		}
		addParam(p.params, name, value)
	}
	return p, nil
}

func addParam(m map[string]any, name, value string) {
	switch old := m[name].(type) {
	case nil:
		m[name] = value
	case string:
		m[name] = []string{old, value}
	case []string:
		m[name] = append(old, value)
	}
}

func isBoolWord(s string) bool {
	switch strings.ToLower(s) {
	case "0", "1", "true", "false", "yes", "no", "on", "off":
		return true
	}
	return false
}

func normBool(s string) string {
	switch strings.ToLower(s) {
	case "1", "true", "yes", "on":
		return "1"
	case "0", "false", "no", "off":
		return "0"
	}
	return s
}

func (g *globalFlags) set(name, v string) {
	switch name {
	case "root":
		g.Root = v
	case "data-dir":
		g.DataDir = v
	case "node":
		g.Node = v
	case "host":
		g.Host = v
	case "token":
		g.Token = v
	case "fingerprint":
		g.Fingerprint = v
	case "insecure":
		g.Insecure = v == "1"
	case "output-format":
		g.OutputFormat = v
	case "noborder":
		g.NoBorder = v == "1"
	case "noheader":
		g.NoHeader = v == "1"
	case "verbose":
		g.Verbose = v == "1"
	case "help":
		g.Help = v == "1"
	}
}

func (g *globalFlags) check() error {
	switch g.OutputFormat {
	case "text", "json", "json-pretty":
		return nil
	}
	return usageError{fmt.Sprintf("400 Parameter verification failed.\noutput-format: value '%s' does not have a value in the enumeration 'text, json, json-pretty'", g.OutputFormat)}
}
