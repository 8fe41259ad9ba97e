package api

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"hostadm/internal/schema"
	"hostadm/internal/tasks"
)

func upidParam(desc string) *schema.Schema { return schema.Str(desc) }

func taskEndpoints() []*Endpoint {
	return []*Endpoint{
		{
			Method: "GET", Path: "/nodes/{node}/tasks", Name: "node_tasks",
			Description: "Read task list for one node (finished tasks).",
			Perm: Perm{All: true, Description: "List task associated with the current user, or all task the " +
				"user has 'Sys.Audit' permissions on /nodes/<node> (the <node> the task runs on)."},
			ProxyTo: "node",
			Params: nodeParams(schema.Props{
				"errors":       schema.Bool("Only list tasks with a status of ERROR.").Def(0),
				"limit":        schema.Int("Only list this number of tasks.").Min(0).Def(50),
				"since":        schema.Int("Only list tasks since this UNIX epoch.").Opt(),
				"source":       schema.Str("List archived, active or all tasks.").OneOf("archive", "active", "all").Def("archive"),
				"start":        schema.Int("List tasks beginning from this offset.").Min(0).Def(0),
				"statusfilter": schema.Str("List of Task States that should be returned.").Fmt("pve-task-status-type-list").Opt(),
				"typefilter":   schema.Str("Only list tasks of this type (e.g., vzstart, vzdump).").Opt(),
				"until":        schema.Int("Only list tasks until this UNIX epoch.").Opt(),
				"userfilter":   schema.Str("Only list tasks from this user.").Opt(),
				"vmid":         schema.Int("Only list tasks for this VM.").Fmt("pve-vmid").Min(100).Max(999999999).Opt(),
			}),
			Returns: schema.Arr(schema.Obj(schema.Props{
				"endtime":   schema.Int("").Opt(),
				"id":        schema.Str(""),
				"node":      schema.Str(""),
				"pid":       schema.Int(""),
				"pstart":    schema.Int(""),
				"starttime": schema.Int(""),
				"status":    schema.Str("").Opt(),
				"type":      schema.Str(""),
				"upid":      schema.Str(""),
				"user":      schema.Str(""),
			}).AllowMore()),
			Handler: listTasks,
		},
		{
			Method: "GET", Path: "/nodes/{node}/tasks/{upid}", Name: "upid_index",
			Description: "Task index.",
			Perm:        Perm{All: true},
			Params:      nodeParams(schema.Props{"upid": upidParam("The task's unique ID.")}),
			Returns:     indexReturns(),
			Handler:     indexOf(),
		},
		{
			Method: "DELETE", Path: "/nodes/{node}/tasks/{upid}", Name: "stop_task",
			Description: "Stop a task.",
			Perm: Perm{All: true, Description: "The user needs 'Sys.Modify' permissions on '/nodes/<node>' " +
				"if they aren't the owner of the task."},
			ProxyTo: "node", Protected: true,
			Params:  nodeParams(schema.Props{"upid": upidParam("The task's unique ID.")}),
			Returns: schema.Null(),
			Handler: stopTask,
		},
		{
			Method: "GET", Path: "/nodes/{node}/tasks/{upid}/log", Name: "read_task_log",
			Description: "Read task log.",
			Perm: Perm{All: true, Description: "The user needs 'Sys.Audit' permissions on '/nodes/<node>' " +
				"if they aren't the owner of the task."},
			ProxyTo: "node", Protected: true, Download: true,
			Params: nodeParams(schema.Props{
				"upid":     upidParam("The task's unique ID."),
				"download": schema.Bool("Whether the tasklog file should be downloaded.").Opt(),
				"limit":    schema.Int("The number of lines to read from the tasklog.").Min(0).Def(50),
				"start":    schema.Int("Start at this line when reading the tasklog").Min(0).Def(0),
			}),
			Returns: schema.Arr(schema.Obj(schema.Props{
				"n": schema.Int("Line number"),
				"t": schema.Str("Line text"),
			})),
			Handler: readTaskLog,
		},
		{
			Method: "GET", Path: "/nodes/{node}/tasks/{upid}/status", Name: "read_task_status",
			Description: "Read task status.",
			Perm: Perm{All: true, Description: "The user needs 'Sys.Audit' permissions on '/nodes/<node>' " +
				"if they are not the owner of the task."},
			ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{"upid": upidParam("The task's unique ID.")}),
			Returns: schema.Obj(schema.Props{
				"exitstatus": schema.Str("").Opt(),
				"id":         schema.Str(""),
				"node":       schema.Str(""),
				"pid":        schema.Int(""),
				"pstart":     schema.Int(""),
				"starttime":  schema.Int(""),
				"status":     schema.Str("").OneOf("running", "stopped"),
				"type":       schema.Str(""),
				"upid":       schema.Str(""),
				"user":       schema.Str(""),
			}).AllowMore(),
			Handler: taskStatus,
		},
		{
			Method: "GET", Path: "/cluster/tasks", Name: "tasks",
			Description: "List recent tasks (cluster wide).",
			Perm:        Perm{All: true},
			Params:      schema.Obj(nil),
			Returns:     schema.Arr(schema.Obj(schema.Props{"upid": schema.Str("")}).AllowMore()),
			Handler:     clusterTasks,
		},
	}
}

// canSeeAll tells whether the caller may see every task of the node.
func canSeeAll(ctx context.Context, r *Request, path, priv string) (bool, error) {
	if r.Identity.IsRoot() {
		return true, nil
	}
	return r.Svc.Auth.HasPrivs(ctx, r.Identity.auth(), path, []string{priv}, false)
}

// owns tells whether a task belongs to the caller: a user owns its own
// tasks and those of its tokens; a token owns only its own.
func owns(id Identity, taskUser, taskToken string) bool {
	if id.TokenID != "" {
		return taskUser == id.User && taskToken == id.TokenID
	}
	return taskUser == id.User
}

// taskVisibility is the filter of the tasks the caller may list: nil (all
// of them) with Sys.Audit on path, else only its own.
func taskVisibility(ctx context.Context, r *Request, path string) (func(tasks.Entry) bool, error) {
	all, err := canSeeAll(ctx, r, path, "Sys.Audit")
	if err != nil || all {
		return nil, err
	}
	id := r.Identity
	return func(e tasks.Entry) bool { return owns(id, e.User, e.TokenID) }, nil
}

func listTasks(ctx context.Context, r *Request) (any, error) {
	visible, err := taskVisibility(ctx, r, "/nodes/"+r.Node)
	if err != nil {
		return nil, err
	}
	p := r.Params
	f := tasks.Filter{
		Source: p.String("source"), Start: int(p.Int("start")), Limit: int(p.Int("limit")),
		Errors: p.Bool("errors"), TypeFilter: p.String("typefilter"), UserFilter: p.String("userfilter"),
		StatusFilter: p.List("statusfilter"), Visible: visible,
	}
	if p.Has("vmid") {
		f.VMID = p.String("vmid")
	}
	if p.Has("since") {
		f.Since = p.Int("since")
	}
	if p.Has("until") {
		f.Until = p.Int("until")
	}
	entries, total, err := r.Svc.Tasks.List(f)
	if err != nil {
		return nil, err
	}
	return &Result{Data: taskItems(entries), Total: &total}, nil
}

// taskItems renders entries as Proxmox does: token tasks show the user part
// in `user` and the token in `tokenid`.
func taskItems(entries []tasks.Entry) []map[string]any {
	out := make([]map[string]any, 0, len(entries))
	for _, e := range entries {
		out = append(out, taskItem(e))
	}
	return out
}

func taskItem(e tasks.Entry) map[string]any {
	m := map[string]any{
		"upid": e.UPID, "node": e.Node, "pid": e.PID, "pstart": e.PStart,
		"starttime": e.StartTime, "type": e.Type, "id": e.ID, "user": e.User,
	}
	if e.TokenID != "" {
		m["tokenid"] = e.TokenID
	}
	if e.EndTime != 0 {
		m["endtime"] = e.EndTime
	}
	if e.Status != "" {
		m["status"] = e.Status
	}
	return m
}

func clusterTasks(ctx context.Context, r *Request) (any, error) {
	visible, err := taskVisibility(ctx, r, "/")
	if err != nil {
		return nil, err
	}
	f := tasks.Filter{Source: "active", Limit: -1, Recent: true, Visible: visible}
	entries, _, err := r.Svc.Tasks.List(f)
	if err != nil {
		return nil, err
	}
	items := taskItems(entries)
	for i, e := range entries {
		items[i]["saved"] = fmt.Sprint(schema.Flag(e.Saved))
	}
	out := make([]any, 0, len(items))
	for _, it := range items {
		out = append(out, it)
	}
	return append(out, otherNodesTasks(ctx, r)...), nil
}

// otherNodesTasks asks every other online cluster node for its recent
// tasks, as the caller (who sees there what it may see there).
func otherNodesTasks(ctx context.Context, r *Request) []any {
	c := r.Svc.Cluster
	if c == nil || !c.Clustered() || r.HTTP == nil {
		return nil
	}
	m, err := c.Membership(ctx)
	if err != nil || m == nil {
		return nil
	}
	var mu sync.Mutex
	var out []any
	var wg sync.WaitGroup
	for _, n := range m.Sorted() {
		if n.Name == r.Node || !c.Online(ctx, n.Name) {
			continue
		}
		wg.Go(func() {
			data, err := r.api.askNode(ctx, r.HTTP, n.API, "/nodes/"+n.Name+"/tasks?limit=50")
			list, _ := data.([]any)
			if err != nil {
				r.Svc.Logger.Warn("tasks of another node", "node", n.Name, "err", err)
			}
			mu.Lock()
			out = append(out, list...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

// taskAccess parses the UPID and checks owner-or-privilege access.
func taskAccess(ctx context.Context, r *Request, priv string) (tasks.UPID, error) {
	upid, err := tasks.ParseUPID(r.Params.String("upid"))
	if err != nil {
		return upid, schema.Fail("upid", "unable to parse worker upid")
	}
	if owns(r.Identity, upid.UserOnly(), upid.TokenID()) {
		return upid, nil
	}
	ok, err := canSeeAll(ctx, r, "/nodes/"+r.Node, priv)
	if err != nil {
		return upid, err
	}
	if !ok {
		return upid, Forbidden(fmt.Sprintf("Permission check failed (/nodes/%s, %s)", r.Node, priv))
	}
	return upid, nil
}

func taskStatus(ctx context.Context, r *Request) (any, error) {
	upid, err := taskAccess(ctx, r, "Sys.Audit")
	if err != nil {
		return nil, err
	}
	st, err := r.Svc.Tasks.Status(upid.String())
	if errors.Is(err, tasks.ErrNoSuchTask) {
		return nil, schema.Fail("upid", "no such task")
	}
	if err != nil {
		return nil, err
	}
	m := taskItem(st.Entry)
	m["status"] = st.Status
	if st.Status == "stopped" {
		m["exitstatus"] = st.ExitStatus
	}
	return m, nil
}

func readTaskLog(ctx context.Context, r *Request) (any, error) {
	upid, err := taskAccess(ctx, r, "Sys.Audit")
	if err != nil {
		return nil, err
	}
	p := r.Params
	if p.Bool("download") {
		if p.Has("start") || p.Has("limit") {
			return nil, schema.ParamError{"download": "'download' is not allowed with 'start' or 'limit'"}
		}
		path, err := r.Svc.Tasks.LogFile(upid.String())
		if err != nil {
			return nil, err
		}
		fi, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("unable to open file - %w", err)
		}
		name := fmt.Sprintf("task-%s-%s-%s.log", upid.Node, upid.Type,
			time.Unix(upid.StartTime, 0).UTC().Format("2006-01-02T15:04:05Z"))
		return &Download{Name: name, ContentType: "text/plain", Path: path, Gzip: fi.Size() > 1024}, nil
	}
	lines, total, err := r.Svc.Tasks.ReadLog(upid.String(), int(p.Int("start")), int(p.Int("limit")))
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(lines))
	for i, l := range lines {
		out[i] = map[string]any{"n": l.N, "t": l.T}
	}
	return &Result{Data: out, Total: &total}, nil
}

func stopTask(ctx context.Context, r *Request) (any, error) {
	upid, err := taskAccess(ctx, r, "Sys.Modify")
	if err != nil {
		return nil, err
	}
	err = r.Svc.Tasks.Stop(upid.String())
	if errors.Is(err, tasks.ErrNoSuchTask) {
		return nil, schema.Fail("upid", "no such task")
	}
	if errors.Is(err, tasks.ErrForeignTask) {
		return nil, fmt.Errorf("task %s runs in another process (pid %d); stop it there", upid, upid.PID)
	}
	if err != nil {
		return nil, err
	}
	return nil, nil
}
