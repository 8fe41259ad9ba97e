package schema

import (
	"fmt"
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

// MaxParamErrors is how many parameter errors an answer lists; the rest
// are counted under MoreErrorsKey ("… and N more"), so a request with
// thousands of bad parameters gets a small answer.
const MaxParamErrors = 20

// MoreErrorsKey is the `errors` key that counts the errors left out.
const MoreErrorsKey = "…"

// cappedErrors collects at most MaxParamErrors errors and counts the rest.
type cappedErrors struct {
	ParamError
	more int
}

// Add records a message for a parameter unless one is there already or
// the list is full.
func (c *cappedErrors) Add(param, msg string) {
	if _, ok := c.ParamError[param]; ok {
		return
	}
	if len(c.ParamError) >= MaxParamErrors {
		c.more++
		return
	}
	c.ParamError[param] = msg
}

// err is the ParamError, nil when there is none.
func (c *cappedErrors) err() error {
	if len(c.ParamError) == 0 {
		return nil
	}
	if c.more > 0 {
		c.ParamError[MoreErrorsKey] = fmt.Sprintf("… and %d more", c.more)
	}
	return c.ParamError
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
