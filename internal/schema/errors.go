package schema

import (
	"maps"
	"slices"
	"strings"
)

// ParamError is Proxmox's "Parameter verification failed." with a message
// per bad parameter. The API renders it as HTTP 400 with an `errors` object.
type ParamError map[string]string

func (e ParamError) Error() string {
	var b strings.Builder
	b.WriteString("Parameter verification failed.")
	for _, k := range slices.Sorted(maps.Keys(e)) {
		b.WriteString("\n" + k + ": " + strings.TrimSuffix(e[k], "\n"))
	}
	return b.String()
}

// Add records a message for a parameter unless one is there already.
func (e ParamError) Add(param, msg string) {
	if _, ok := e[param]; !ok {
		e[param] = msg
	}
}

// Fail returns a ParamError for one parameter.
func Fail(param, msg string) ParamError {
	return ParamError{param: msg}
}

// Messages Proxmox uses in `errors` (API.md §1.5).
const (
	MsgMissing    = "property is missing and it is not optional"
	MsgNotDefined = "property is not defined in schema and the schema does not allow additional properties"
)

func (e ParamError) names() []string { return slices.Sorted(maps.Keys(e)) }
