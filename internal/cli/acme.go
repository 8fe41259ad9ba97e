package cli

// acmeCmds are `pvenode acme ...`, with Proxmox's argument names. Tasks
// (register, update, deactivate, order, renew, revoke) are followed and
// their log printed. `plugin add|set --data FILE` sends the file's
// contents base64-encoded, as pvenode does. `account register` does not
// ask interactively: pass --directory and, to agree to the CA's terms,
// --tos_url (shown by `pvesh get /cluster/acme/meta`).
var acmeCmds = []toolCmd{
	{words: []string{"acme", "account", "list"}, method: "GET", path: "/cluster/acme/account", columns: []string{"name"}},
	{words: []string{"acme", "account", "register"}, method: "POST", path: "/cluster/acme/account",
		args: []string{"name", "contact"}, follow: true},
	{words: []string{"acme", "account", "info"}, method: "GET", path: "/cluster/acme/account/{name}",
		args: []string{"name"}, optArgs: 1},
	{words: []string{"acme", "account", "update"}, method: "PUT", path: "/cluster/acme/account/{name}",
		args: []string{"name"}, optArgs: 1, follow: true},
	{words: []string{"acme", "account", "deactivate"}, method: "DELETE", path: "/cluster/acme/account/{name}",
		args: []string{"name"}, optArgs: 1, follow: true},
	{words: []string{"acme", "plugin", "list"}, method: "GET", path: "/cluster/acme/plugins",
		columns: []string{"plugin", "type", "api", "disable", "validation-delay"}},
	{words: []string{"acme", "plugin", "config"}, method: "GET", path: "/cluster/acme/plugins/{id}", args: []string{"id"}},
	{words: []string{"acme", "plugin", "add"}, method: "POST", path: "/cluster/acme/plugins",
		args: []string{"type", "id"}, prepare: base64FileParam("data")},
	{words: []string{"acme", "plugin", "set"}, method: "PUT", path: "/cluster/acme/plugins/{id}",
		args: []string{"id"}, prepare: base64FileParam("data")},
	{words: []string{"acme", "plugin", "remove"}, method: "DELETE", path: "/cluster/acme/plugins/{id}", args: []string{"id"}},
	{words: []string{"acme", "cert", "order"}, method: "POST", path: "/nodes/{node}/certificates/acme/certificate", follow: true},
	{words: []string{"acme", "cert", "renew"}, method: "PUT", path: "/nodes/{node}/certificates/acme/certificate", follow: true},
	{words: []string{"acme", "cert", "revoke"}, method: "DELETE", path: "/nodes/{node}/certificates/acme/certificate", follow: true},
}
