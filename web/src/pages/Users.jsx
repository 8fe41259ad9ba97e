// Users and their API tokens: list, add, edit, password, delete (asking
// with the user's name), and each user's tokens.
import { useState } from 'preact/hooks';
import { useApp } from '../components/context.js';
import { ErrorAlert } from '../components/Alert.jsx';
import { ConfirmDialog } from '../components/Dialog.jsx';
import { dateInput } from '../lib/format.js';
import { useResource } from '../lib/poll.js';
import { PasswordDialog, UserDialog } from './UserForms.jsx';
import { Tokens } from './Tokens.jsx';

export function Users() {
  const { api } = useApp();
  const { data: users, error, reload } = useResource(() => api.get('/access/users', { full: true }));
  const [dialog, setDialog] = useState(null);
  const [open, setOpen] = useState('');
  const done = () => { setDialog(null); reload(); };
  const close = () => setDialog(null);

  return (
    <section>
      <div class="page-head">
        <h1>Users &amp; tokens</h1>
        <div class="actions"><button type="button" class="primary" onClick={() => setDialog({ kind: 'add' })}>Add user</button></div>
      </div>
      <ErrorAlert error={error} />
      <div class="table-wrap">
        <table class="table">
          <thead><tr><th>User</th><th>Name</th><th>E-mail</th><th>Enabled</th><th>Expires</th><th>Tokens</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {(users || []).map((u) => [
              <tr key={u.userid}>
                <td><strong>{u.userid}</strong>{u.comment && <div class="muted small">{u.comment}</div>}</td>
                <td>{[u.firstname, u.lastname].filter(Boolean).join(' ')}</td>
                <td>{u.email}</td>
                <td>{u.enable === 0 ? <span class="chip chip-error">disabled</span> : 'yes'}</td>
                <td class="nowrap">{u.expire ? dateInput(u.expire) : 'never'}</td>
                <td>
                  <button type="button" class="link" aria-expanded={open === u.userid} onClick={() => setOpen(open === u.userid ? '' : u.userid)}>
                    {(u.tokens || []).length} token{(u.tokens || []).length === 1 ? '' : 's'}
                  </button>
                </td>
                <td class="row-actions">
                  <button type="button" onClick={() => setDialog({ kind: 'edit', user: u })}>Edit</button>
                  {u.userid.endsWith('@pve') && <button type="button" onClick={() => setDialog({ kind: 'password', user: u })}>Password</button>}
                  {u.userid !== 'root@pam' && <button type="button" class="danger-text" onClick={() => setDialog({ kind: 'delete', user: u })}>Delete</button>}
                </td>
              </tr>,
              open === u.userid && <tr key={`${u.userid}-tokens`} class="subrow"><td colSpan={7}><Tokens userid={u.userid} onChange={reload} /></td></tr>,
            ])}
          </tbody>
        </table>
      </div>
      {dialog && dialog.kind === 'add' && <UserDialog onDone={done} onClose={close} />}
      {dialog && dialog.kind === 'edit' && <UserDialog user={dialog.user} onDone={done} onClose={close} />}
      {dialog && dialog.kind === 'password' && <PasswordDialog userid={dialog.user.userid} onClose={close} />}
      {dialog && dialog.kind === 'delete' && (
        <ConfirmDialog title="Delete user" action="Delete the user" name={dialog.user.userid}
          onConfirm={async () => { await api.del(`/access/users/${encodeURIComponent(dialog.user.userid)}`); reload(); }}
          onClose={close}>
          <p class="muted">Its API tokens and permissions go with it.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
