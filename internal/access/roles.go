package access

import (
	"maps"
	"slices"
)

// privGroup lists the privileges of one category split the way Proxmox's
// AccessControl.pm ($privgroups) splits them: root-only, admin, user and
// audit. The built-in roles are derived from these lists exactly as
// create_roles() does, so adding a privilege here updates every role.
type privGroup struct {
	cat                      string
	root, admin, user, audit []string
}

// privGroups is the PVE 9.1 table: PVE 8's list plus the VM.GuestAgent.*
// privileges and without VM.Monitor (pve-access-control, July 2025).
var privGroups = []privGroup{
	{cat: "VM",
		admin: []string{"VM.Config.Disk", "VM.Config.CPU", "VM.Config.Memory", "VM.Config.Network",
			"VM.Config.HWType", "VM.Config.Options", "VM.Allocate", "VM.Clone",
			"VM.GuestAgent.Unrestricted", "VM.Migrate", "VM.Snapshot", "VM.Snapshot.Rollback"},
		user: []string{"VM.Config.CDROM", "VM.Config.Cloudinit", "VM.Console", "VM.Backup",
			"VM.GuestAgent.FileRead", "VM.GuestAgent.FileSystemMgmt", "VM.GuestAgent.FileWrite", "VM.PowerMgmt"},
		audit: []string{"VM.Audit", "VM.GuestAgent.Audit"}},
	{cat: "Sys",
		root:  []string{"Sys.PowerMgmt", "Sys.Modify", "Sys.Incoming", "Sys.AccessNetwork"},
		admin: []string{"Sys.Console", "Sys.Syslog"},
		audit: []string{"Sys.Audit"}},
	{cat: "Datastore",
		admin: []string{"Datastore.Allocate", "Datastore.AllocateTemplate"},
		user:  []string{"Datastore.AllocateSpace"},
		audit: []string{"Datastore.Audit"}},
	{cat: "SDN",
		admin: []string{"SDN.Allocate", "SDN.Audit"},
		user:  []string{"SDN.Use"},
		audit: []string{"SDN.Audit"}},
	{cat: "User",
		root:  []string{"Realm.Allocate"},
		admin: []string{"User.Modify", "Group.Allocate", "Realm.AllocateUser"}},
	{cat: "Pool",
		admin: []string{"Pool.Allocate"},
		user:  []string{"Pool.Audit"},
		audit: []string{"Pool.Audit"}},
	{cat: "Mapping",
		admin: []string{"Mapping.Modify"},
		user:  []string{"Mapping.Use"},
		audit: []string{"Mapping.Audit"}},
}

// builtin holds the privilege list and the built-in roles, computed once
// per Service (never mutated afterwards).
type builtin struct {
	privs map[string]bool
	roles map[string]map[string]bool
}

func newBuiltin() *builtin {
	b := &builtin{
		privs: map[string]bool{"Permissions.Modify": true}, // in no group
		roles: map[string]map[string]bool{"NoAccess": {}},
	}
	add := func(role string, ps ...[]string) {
		if b.roles[role] == nil {
			b.roles[role] = map[string]bool{}
		}
		for _, l := range ps {
			for _, p := range l {
				b.roles[role][p] = true
			}
		}
	}
	for _, g := range privGroups {
		for _, l := range [][]string{g.root, g.admin, g.user, g.audit} {
			for _, p := range l {
				b.privs[p] = true
			}
		}
		add("PVE"+g.cat+"Admin", g.admin, g.user, g.audit)
		add("PVEAdmin", g.admin, g.user, g.audit)
		if len(g.user) > 0 {
			add("PVE"+g.cat+"User", g.user, g.audit)
		}
		add("PVEAuditor", g.audit)
	}
	// Proxmox keeps Mapping.Modify out of PVEAdmin.
	delete(b.roles["PVEAdmin"], "Mapping.Modify")
	add("PVETemplateUser", []string{"VM.Clone", "VM.Audit"})
	admin := map[string]bool{}
	for p := range b.privs {
		admin[p] = true
	}
	b.roles["Administrator"] = admin
	return b
}

// Privileges returns every privilege name Proxmox VE 9.1 knows, sorted.
func Privileges() []string {
	return slices.Sorted(maps.Keys(newBuiltin().privs))
}

// BuiltinRoles returns Proxmox's built-in ("special") roles with their
// privilege lists, sorted by role id.
func BuiltinRoles() []Role {
	b := newBuiltin()
	var out []Role
	for _, id := range slices.Sorted(maps.Keys(b.roles)) {
		out = append(out, Role{RoleID: id, Privs: slices.Sorted(maps.Keys(b.roles[id])), Special: 1})
	}
	return out
}
