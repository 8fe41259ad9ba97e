// Permissions: the access control list (who has which role where), adding
// an entry for a user or API token, removing one after asking.
import { useEffect, useState } from 'preact/hooks';
import { useApp } from '../components/context.js';
import { useForm } from '../components/form.js';
import { Field, FormMessage } from '../components/Field.jsx';
import { ConfirmDialog, Dialog } from '../components/Dialog.jsx';
import { ErrorAlert } from '../components/Alert.jsx';
import { useResource } from '../lib/poll.js';

/** aclParams maps the ACL form to PUT /access/acl: the subject goes to users or tokens by its kind. */
export function aclParams(v) {
  const p = { path: v.path.trim(), roles: v.roles, propagate: !!v.propagate };
  if (v.type === 'token') p.tokens = v.ugid.trim();
  else p.users = v.ugid.trim();
  return p;
}

export function Acl() {
  const { api } = useApp();
  const { data: acl, error, reload: again } = useResource(() => api.get('/access/acl'));
  const [dialog, setDialog] = useState(null);
  const rows = (acl || []).slice().sort((a, b) => a.path.localeCompare(b.path) || a.ugid.localeCompare(b.ugid));
  return (
    <section>
      <div class="page-head">
        <h1>Permissions</h1>
        <div class="actions"><button type="button" class="primary" onClick={() => setDialog({ kind: 'add' })}>Add permission</button></div>
      </div>
      <p class="muted">root@pam may do everything; everyone else needs a role on a path. Roles on a path apply below it when they propagate.</p>
      <ErrorAlert error={error} />
      <div class="table-wrap">
        <table class="table">
          <thead><tr><th>Path</th><th>User or token</th><th>Role</th><th>Propagates</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {rows.map((e) => (
              <tr key={`${e.path} ${e.type} ${e.ugid} ${e.roleid}`}>
                <td><code>{e.path}</code></td>
                <td>{e.ugid} <span class="muted small">{e.type}</span></td>
                <td>{e.roleid}</td>
                <td>{e.propagate ? 'yes' : 'no'}</td>
                <td class="row-actions"><button type="button" class="danger-text" onClick={() => setDialog({ kind: 'delete', entry: e })}>Remove</button></td>
              </tr>
            ))}
            {acl && !rows.length && <tr><td colSpan={5} class="muted">No permissions are set.</td></tr>}
          </tbody>
        </table>
      </div>
      {dialog && dialog.kind === 'add' && <AclDialog onDone={() => { setDialog(null); again(); }} onClose={() => setDialog(null)} />}
      {dialog && dialog.kind === 'delete' && (
        <ConfirmDialog title="Remove permission" action={`Remove role ${dialog.entry.roleid} on ${dialog.entry.path} from`}
          name={dialog.entry.ugid} confirmLabel="Remove"
          onConfirm={async () => {
            const e = dialog.entry;
            const p = { path: e.path, roles: e.roleid, delete: true };
            p[e.type === 'token' ? 'tokens' : e.type === 'group' ? 'groups' : 'users'] = e.ugid;
            await api.put('/access/acl', p);
            again();
          }}
          onClose={() => setDialog(null)} />
      )}
    </section>
  );
}

function AclDialog({ onDone, onClose }) {
  const { api } = useApp();
  const [roles, setRoles] = useState([]);
  const form = useForm({ path: '/', type: 'user', ugid: '', roles: '', propagate: true },
    ['path', 'type', 'ugid', 'roles', 'propagate', 'users', 'tokens']);
  useEffect(() => {
    api.get('/access/roles').then((r) => {
      const ids = r.map((x) => x.roleid).sort();
      setRoles(ids);
      if (ids.length && !form.values.roles) form.set('roles', ids.includes('PVEAuditor') ? 'PVEAuditor' : ids[0]);
    }, form.fail);
  }, []);
  async function save(e) {
    e.preventDefault();
    if (await form.submit(async (v) => { await api.put('/access/acl', aclParams(v)); return true; })) onDone();
  }
  const subjectError = form.errors.users || form.errors.tokens;
  return (
    <Dialog title="Add permission" onClose={onClose}>
      <form onSubmit={save} noValidate>
        <Field form={form} name="path" label="Path" hint="For example / , /nodes/NODE , /access" />
        <div class="row">
          <Field form={form} name="type" label="For" type="select" options={[['user', 'User'], ['token', 'API token']]} />
          <Field form={form} name="ugid" label={form.values.type === 'token' ? 'Token (user@realm!name)' : 'User (user@realm)'} />
        </div>
        {subjectError && <div class="field-error" role="alert">{subjectError}</div>}
        <Field form={form} name="roles" label="Role" type="select" options={roles.map((r) => [r, r])} />
        <Field form={form} name="propagate" label="Propagate to paths below" type="checkbox" />
        <FormMessage form={form} />
        <div class="actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={form.busy}>Add</button>
        </div>
      </form>
    </Dialog>
  );
}
