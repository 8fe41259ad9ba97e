package schema

import "regexp"

// PEM checks follow PVE::Certificate::check_pem (RFC 7468 shape): text
// before the first header is ignored, each block has the same label in its
// header and footer and a base64 body, a chain is blocks separated by new
// lines, and nothing but white space may follow the last block.
var (
	rePEMHeader = regexp.MustCompile(`-----BEGIN [^\n]*?-----`)
	rePEMCert   = regexp.MustCompile(`^` + pemBlock("CERTIFICATE") + `$`)
	rePEMChain  = regexp.MustCompile(`^(?:` + pemBlock("CERTIFICATE") + `\n+)*` + pemBlock("CERTIFICATE") + `$`)
	rePEMAny    = regexp.MustCompile(`^` + pemBlock(`[^\n]*?`) + `$`)
)

func pemBlock(label string) string {
	const b64 = `[0-9A-Za-z+/]`
	return `-----BEGIN ` + label + `-----\s*` +
		`(?:` + b64 + `+\s*\n)*` +
		b64 + `*(?:=\s*\n=|={0,2})?\s*\n` +
		`-----END ` + label + `-----\s*`
}

func checkPEM(r *regexp.Regexp) formatFunc {
	return func(v string) string {
		if loc := rePEMHeader.FindStringIndex(v); loc != nil {
			v = v[loc[0]:]
		}
		if r.MatchString(v) {
			return ""
		}
		return "not a valid PEM-formatted string.\n"
	}
}
