package schema

import (
	"regexp"
	"sync"
)

// PEM checks follow PVE::Certificate::check_pem (RFC 7468 shape): text
// before the first header is ignored, each block has the same label in its
// header and footer and a base64 body, a chain is blocks separated by new
// lines, and nothing but white space may follow the last block.
var (
	rePEMHeader = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`-----BEGIN [^\n]*?-----`) })
	rePEMCert   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^` + pemBlock("CERTIFICATE") + `$`) })
	rePEMChain  = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(?:` + pemBlock("CERTIFICATE") + `\n+)*` + pemBlock("CERTIFICATE") + `$`)
	})
	rePEMAny = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^` + pemBlock(`[^\n]*?`) + `$`) })
)

func pemBlock(label string) string {
	const b64 = `[0-9A-Za-z+/]`
	return `-----BEGIN ` + label + `-----\s*` +
		`(?:` + b64 + `+\s*\n)*` +
		b64 + `*(?:=\s*\n=|={0,2})?\s*\n` +
		`-----END ` + label + `-----\s*`
}

func checkPEM(r func() *regexp.Regexp) formatFunc {
	return func(v string) string {
		if loc := rePEMHeader().FindStringIndex(v); loc != nil {
			v = v[loc[0]:]
		}
		if r().MatchString(v) {
			return ""
		}
		return "not a valid PEM-formatted string.\n"
	}
}
