package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// pveumCmds are the pveum commands hostadm offers, as API calls.
var pveumCmds = []toolCmd{
	{words: []string{"user", "add"}, method: "POST", path: "/access/users", args: []string{"userid"}},
	{words: []string{"user", "modify"}, method: "PUT", path: "/access/users/{userid}", args: []string{"userid"}},
	{words: []string{"user", "delete"}, method: "DELETE", path: "/access/users/{userid}", args: []string{"userid"}},
	{words: []string{"user", "list"}, method: "GET", path: "/access/users",
		columns: []string{"userid", "comment", "email", "enable", "expire", "firstname", "groups", "lastname", "realm-type"}},
	{words: []string{"user", "token", "add"}, method: "POST", path: "/access/users/{userid}/token/{tokenid}",
		args: []string{"userid", "tokenid"}, render: renderTokenSecret},
	{words: []string{"user", "token", "modify"}, method: "PUT", path: "/access/users/{userid}/token/{tokenid}",
		args: []string{"userid", "tokenid"}},
	{words: []string{"user", "token", "list"}, method: "GET", path: "/access/users/{userid}/token",
		args: []string{"userid"}, columns: []string{"tokenid", "comment", "expire", "privsep"}},
	{words: []string{"user", "token", "remove"}, method: "DELETE", path: "/access/users/{userid}/token/{tokenid}",
		args: []string{"userid", "tokenid"}},
	{words: []string{"passwd"}, method: "PUT", path: "/access/password", args: []string{"userid"},
		prepare: readPassword},
	{words: []string{"acl", "modify"}, method: "PUT", path: "/access/acl", args: []string{"path"}},
	{words: []string{"acl", "delete"}, method: "PUT", path: "/access/acl", args: []string{"path"},
		fixed: map[string]any{"delete": "1"}},
	{words: []string{"acl", "list"}, method: "GET", path: "/access/acl",
		columns: []string{"path", "roleid", "type", "ugid", "propagate"}},
	{words: []string{"role", "list"}, method: "GET", path: "/access/roles",
		columns: []string{"roleid", "privs", "special"}},
}

func runPveum(env *Env, args []string) error { return runTool(env, "pveum", pveumCmds, args) }

// renderTokenSecret shows the new token and warns that the secret is shown
// only once, like pveum does.
func renderTokenSecret(w io.Writer, g globalFlags, rep *reply) error {
	m, _ := rep.Data.(map[string]any)
	if err := newPrinter(w, g).print(map[string]any{
		"full-tokenid": m["full-tokenid"], "info": m["info"], "value": m["value"],
	}, nil, nil); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "NOTE: the token value is shown only once; store it now.")
	return err
}

// readPassword takes the new password from --password, or reads it twice
// from standard input (a terminal prompt or a pipe).
func readPassword(env *Env, params map[string]any) error {
	if _, ok := params["password"]; ok {
		return nil
	}
	r := bufio.NewReader(env.Stdin)
	fmt.Fprint(env.Stderr, "Enter new password: ")
	pw, err := readLine(r)
	if err != nil {
		return err
	}
	fmt.Fprint(env.Stderr, "\nRetype new password: ")
	again, err := readLine(r)
	fmt.Fprintln(env.Stderr)
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if err == nil && again != pw {
		return errors.New("passwords do not match")
	}
	params["password"] = pw
	return nil
}

func readLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil && line == "" {
		if errors.Is(err, io.EOF) {
			return "", errors.New("no password given")
		}
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}
