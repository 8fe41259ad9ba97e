package api

import (
	"context"
	"fmt"
	"strings"

	"hostadm/internal/access"
)

// Perm is an endpoint's permission declaration, as in Proxmox: World (no
// authentication), All (any authenticated user; the handler may check
// more), a privilege Check, or RootOnly (what Proxmox does when an
// endpoint declares nothing).
type Perm struct {
	World       bool
	All         bool
	RootOnly    bool
	Check       Check
	Description string
}

// Declared tells whether the permission was declared at all; the table test
// refuses endpoints where it was not.
func (p Perm) Declared() bool {
	return p.World || p.All || p.RootOnly || p.Check != nil
}

// Check is a privilege expression evaluated for a request.
type Check interface {
	// eval returns nil when the check passes, else the *StatusError to send.
	eval(ctx context.Context, r *Request) error
	String() string
}

// Privs needs all privileges on the ACL path; "{param}" placeholders are
// filled from the request's parameters.
func Privs(path string, privs ...string) Check {
	return privCheck{path: path, params: placeholders(path), privs: privs}
}

// AnyPriv needs one of the privileges on the path.
func AnyPriv(path string, privs ...string) Check {
	return privCheck{path: path, params: placeholders(path), privs: privs, any: true}
}

// Or passes when one of the checks passes.
func Or(checks ...Check) Check { return orCheck(checks) }

// And passes when all checks pass.
func And(checks ...Check) Check { return andCheck(checks) }

// Self passes when the user named by the parameter is the caller (token
// owners count as the user).
func Self(param string) Check { return selfCheck(param) }

// RealmPriv needs the privileges on the realm of the user named by the
// parameter: /access/realm/<realm> (Proxmox's "userid-param" checks).
func RealmPriv(param string, privs ...string) Check { return realmCheck{param: param, privs: privs} }

type realmCheck struct {
	param string
	privs []string
}

func (c realmCheck) String() string {
	return fmt.Sprintf("userid-param %s [%s]", c.param, strings.Join(c.privs, ", "))
}

func (c realmCheck) eval(ctx context.Context, r *Request) error {
	userid := r.Params.String(c.param)
	_, realm, err := access.SplitUserID(userid) // realms have no '@', names may
	if err != nil {
		if ps := r.Endpoint.Params.Properties[c.param]; ps != nil && !ps.Optional {
			return nil // parameter validation answers with 400
		}
		return Forbidden("Permission check failed")
	}
	return Privs("/access/realm/"+realm, c.privs...).eval(ctx, r)
}

type privCheck struct {
	path   string
	params []string // the path's "{param}" segments, parsed once
	privs  []string
	any    bool
}

func (c privCheck) String() string {
	kind := "perm"
	if c.any {
		kind = "perm(any)"
	}
	return fmt.Sprintf("%s %s [%s]", kind, c.path, strings.Join(c.privs, ", "))
}

func (c privCheck) eval(ctx context.Context, r *Request) error {
	if r.missingRequired(c.params) {
		return nil // parameter validation answers with 400
	}
	path := r.fill(c.path)
	if !strings.HasPrefix(path, "/") {
		return Forbidden(fmt.Sprintf("Permission check failed (%s, %s)", path, strings.Join(c.privs, "|")))
	}
	ok, err := r.Svc.Auth.HasPrivs(ctx, r.Identity.auth(), path, c.privs, c.any)
	if err != nil {
		return err
	}
	if !ok {
		return Forbidden(fmt.Sprintf("Permission check failed (%s, %s)", path, strings.Join(c.privs, "|")))
	}
	return nil
}

type orCheck []Check

func (c orCheck) String() string { return joinChecks("or", c) }

func (c orCheck) eval(ctx context.Context, r *Request) error {
	var first error
	for _, sub := range c {
		err := sub.eval(ctx, r)
		if err == nil {
			return nil
		}
		if first == nil {
			first = err
		}
	}
	return first
}

type andCheck []Check

func (c andCheck) String() string { return joinChecks("and", c) }

func (c andCheck) eval(ctx context.Context, r *Request) error {
	for _, sub := range c {
		if err := sub.eval(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

type selfCheck string

func (c selfCheck) String() string { return "userid-param self" }

// A token is never "self": Proxmox compares the parameter with the full
// token id, so a privilege-separated token cannot manage its owner's
// tokens or read its owner's record through this check.
func (c selfCheck) eval(_ context.Context, r *Request) error {
	if r.Identity.TokenID == "" && r.Params.String(string(c)) == r.Identity.User {
		return nil
	}
	return Forbidden("Permission check failed")
}

func joinChecks(op string, cs []Check) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.String()
	}
	return op + "(" + strings.Join(parts, "; ") + ")"
}

// placeholders are the parameter names of an ACL path's "{param}" segments.
func placeholders(path string) []string {
	var names []string
	for _, part := range strings.Split(path, "/") {
		if strings.HasPrefix(part, "{") {
			names = append(names, strings.Trim(part, "{}"))
		}
	}
	return names
}

// missingRequired tells whether one of an ACL path's placeholders names a
// required parameter that was not sent.
func (r *Request) missingRequired(names []string) bool {
	for _, name := range names {
		ps := r.Endpoint.Params.Properties[name]
		if name != "node" && ps != nil && !ps.Optional && !r.Params.Has(name) {
			return true
		}
	}
	return false
}

// fill replaces {param} placeholders in an ACL path with parameter values.
func (r *Request) fill(path string) string {
	if !strings.Contains(path, "{") {
		return path
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(path, '{')
		if i < 0 {
			b.WriteString(path)
			return b.String()
		}
		j := strings.IndexByte(path[i:], '}')
		if j < 0 {
			b.WriteString(path)
			return b.String()
		}
		b.WriteString(path[:i])
		name := path[i+1 : i+j]
		if name == "node" && !r.Endpoint.AnyNode {
			b.WriteString(r.Node)
		} else {
			b.WriteString(r.Params.String(name))
		}
		path = path[i+j+1:]
	}
}

// checkPerm applies an endpoint's declaration to a request.
func (e *Endpoint) checkPerm(ctx context.Context, r *Request) error {
	p := e.Perm
	switch {
	case p.World, p.All:
		return nil
	case r.Identity.IsRoot():
		return nil
	case p.Check != nil:
		return p.Check.eval(ctx, r)
	}
	return Forbidden("Permission check failed (user != root@pam)")
}

// auditPerm and modifyPerm are the node-level checks most endpoints use:
// Sys.Audit or Sys.Modify on /nodes/{node}.
func auditPerm() Perm  { return Perm{Check: Privs("/nodes/{node}", "Sys.Audit")} }
func modifyPerm() Perm { return Perm{Check: Privs("/nodes/{node}", "Sys.Modify")} }

// rootAuditPerm and rootModifyPerm are the same privileges on /, where
// Proxmox checks them for disks, cluster-wide settings and metrics.
func rootAuditPerm() Perm  { return Perm{Check: Privs("/", "Sys.Audit")} }
func rootModifyPerm() Perm { return Perm{Check: Privs("/", "Sys.Modify")} }
