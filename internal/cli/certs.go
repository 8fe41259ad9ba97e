package cli

import (
	"encoding/base64"
	"fmt"
	"io"
	"os"
)

// certCmds are `pvenode cert ...`: the certificate and key arguments are
// file names whose contents are sent, as pvenode does.
var certCmds = []toolCmd{
	{words: []string{"cert", "info"}, method: "GET", path: "/nodes/{node}/certificates/info",
		columns: []string{"filename", "fingerprint", "subject", "issuer", "notafter", "san"}},
	{words: []string{"cert", "set"}, method: "POST", path: "/nodes/{node}/certificates/custom",
		args: []string{"certificates", "key"}, optArgs: 1, prepare: readFileParams("certificates", "key"),
		columns: []string{"filename", "fingerprint", "subject", "notafter", "san"}},
	{words: []string{"cert", "delete"}, method: "DELETE", path: "/nodes/{node}/certificates/custom"},
}

// readFileParams replaces each named parameter, when given, by the
// contents of the file it names ("-" is standard input).
func readFileParams(names ...string) func(env *Env, params map[string]any) error {
	return func(env *Env, params map[string]any) error {
		for _, n := range names {
			v, ok := params[n].(string)
			if !ok || v == "" {
				continue
			}
			b, err := readArgFile(env, v)
			if err != nil {
				return fmt.Errorf("%s: %w", n, err)
			}
			params[n] = string(b)
		}
		return nil
	}
}

// base64FileParam replaces the parameter by the base64 of the file it
// names, as `pvenode acme plugin add --data FILE` does.
func base64FileParam(name string) func(env *Env, params map[string]any) error {
	return func(env *Env, params map[string]any) error {
		v, ok := params[name].(string)
		if !ok || v == "" {
			return nil
		}
		b, err := readArgFile(env, v)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		params[name] = base64.StdEncoding.EncodeToString(b)
		return nil
	}
}

func readArgFile(env *Env, name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(env.Stdin)
	}
	return os.ReadFile(name)
}
