package api

import (
	"context"
	"net/http"

	"hostadm/internal/access"
	"hostadm/internal/schema"
)

// Endpoint is one API method, declared once as data. Routing, parameter
// validation, the permission check, the API index and the generic CLI
// (pvesh) all come from the table of these.
type Endpoint struct {
	Method      string // GET, POST, PUT, DELETE
	Path        string // "/nodes/{node}/tasks/{upid}"
	Name        string // Proxmox's method name, e.g. "node_tasks"
	Description string
	Perm        Perm
	Params      *schema.Schema // an object; path parameters included
	Returns     *schema.Schema
	Handler     Handler
	// Protected endpoints run with root's rights on the host (Proxmox runs
	// them in pvedaemon); NoToken refuses API tokens; ProxyTo names the
	// parameter holding the node the call belongs to; Download may answer
	// with a file instead of JSON.
	Protected bool
	NoToken   bool
	ProxyTo   string
	Download  bool
	// AnyNode marks an endpoint whose node parameter names another node
	// (Wake-on-LAN): it is not resolved to the local node.
	AnyNode bool
	// NoServices marks a handler that reads no service, store, file or
	// kernel state (nor Request.Node): the in-process CLI then answers
	// it without opening the node, which is most of its start-up time.
	NoServices bool
	// Extensions names hostadm's own parameters beyond Proxmox's schema,
	// and Proxmox parameters whose enumeration hostadm extends (additive
	// only: every value a Proxmox client sends keeps its meaning).
	Extensions []string
}

// Handler does the work of an endpoint. It returns the value for `data`
// (or a Result for extra envelope keys) and never writes errors itself.
type Handler func(ctx context.Context, r *Request) (any, error)

// Result carries `data` plus the optional envelope keys.
type Result struct {
	Data    any
	Total   *int   // `total` for paged lists
	Changes string // `changes` for the network list
}

// Download is a file answered instead of JSON.
type Download struct {
	Name        string // attachment file name
	ContentType string
	Path        string // file on disk
	Gzip        bool   // send gzip-encoded
}

// Request is what a handler sees of a call.
type Request struct {
	Endpoint *Endpoint
	Params   Params
	Identity Identity
	Svc      *Services
	// Node is the local node's name; path parameter "node" is already
	// resolved ("localhost" is an alias).
	Node   string
	Remote string // client address, "" in-process
	// HTTP is nil when the CLI calls in-process.
	HTTP    *http.Request
	cookies []*http.Cookie
	api     *API
}

// SetCookie asks the server to set a cookie on the response (login).
func (r *Request) SetCookie(c *http.Cookie) { r.cookies = append(r.cookies, c) }

// Identity is who makes the call.
type Identity struct {
	User    string // user@realm
	TokenID string // set for API tokens
	// Ticket is set when the caller authenticated with a ticket (CSRF applies).
	Ticket bool
}

// AuthID is "user@realm" or "user@realm!tokenid".
func (id Identity) AuthID() string {
	if id.TokenID != "" {
		return id.User + "!" + id.TokenID
	}
	return id.User
}

// IsRoot tells whether the caller is root@pam itself (not a token of it).
func (id Identity) IsRoot() bool { return id.User == "root@pam" && id.TokenID == "" }

// B renders a boolean the way Proxmox does on the wire: 1 or 0.

// auth converts the identity for the auth service.
func (id Identity) auth() access.Identity { return access.Identity{User: id.User, TokenID: id.TokenID} }

// nodeParam is the `node` path parameter every /nodes/{node} endpoint has.
func nodeParam() *schema.Schema {
	return schema.Str("The cluster node name.").Fmt("pve-node")
}

// nodeParams is an object with `node` and the given parameters.
func nodeParams(props schema.Props) *schema.Schema {
	p := schema.Props{"node": nodeParam()}
	for k, v := range props {
		p[k] = v
	}
	return schema.Obj(p)
}

// indexReturns is the return schema of a directory index.
func indexReturns() *schema.Schema {
	return schema.Arr(schema.Obj(schema.Props{"name": schema.Str("")}).AllowMore())
}

// indexOf is a handler listing the static children of the endpoint's path
// as [{name: child}], like Proxmox's directory indexes.
func indexOf(extra ...string) Handler {
	return func(_ context.Context, r *Request) (any, error) {
		names := r.api.router.children(r.Endpoint.Path)
		names = append(names, extra...)
		out := make([]map[string]string, 0, len(names))
		for _, n := range names {
			out = append(out, map[string]string{"name": n})
		}
		return out, nil
	}
}
