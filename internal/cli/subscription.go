package cli

// pvesubscriptionCmds are Proxmox's pvesubscription commands over the
// node's subscription endpoints.
var pvesubscriptionCmds = []toolCmd{
	{words: []string{"get"}, method: "GET", path: "/nodes/{node}/subscription"},
	{words: []string{"set"}, method: "PUT", path: "/nodes/{node}/subscription", args: []string{"key"}},
	{words: []string{"update"}, method: "POST", path: "/nodes/{node}/subscription"},
	{words: []string{"delete"}, method: "DELETE", path: "/nodes/{node}/subscription"},
}

func runPvesubscription(env *Env, args []string) error {
	return runTool(env, "pvesubscription", pvesubscriptionCmds, args)
}
