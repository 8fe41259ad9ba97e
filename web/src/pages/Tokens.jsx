// One user's API tokens: list, add (the secret is shown once), delete.
import { useState } from 'preact/hooks';
import { useApp } from '../components/context.js';
import { useForm } from '../components/form.js';
import { Field, FormMessage } from '../components/Field.jsx';
import { ConfirmDialog, Dialog } from '../components/Dialog.jsx';
import { ErrorAlert } from '../components/Alert.jsx';
import { dateInput, expireEpoch } from '../lib/format.js';
import { useResource } from '../lib/poll.js';

export function Tokens({ userid, onChange }) {
  const { api } = useApp();
  const base = `/access/users/${encodeURIComponent(userid)}/token`;
  const { data: tokens, error, reload } = useResource(() => api.get(base), [base]);
  const [dialog, setDialog] = useState(null);
  const changed = () => { reload(); onChange(); };
  return (
    <div class="tokens">
      <ErrorAlert error={error} />
      {tokens && !tokens.length && <p class="muted">No API tokens.</p>}
      {tokens && tokens.length > 0 && (
        <table class="table compact">
          <thead><tr><th>Token</th><th>Privilege separation</th><th>Expires</th><th>Comment</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.tokenid}>
                <td><code>{userid}!{t.tokenid}</code></td>
                <td>{t.privsep === 0 ? 'no — full rights of the user' : 'yes'}</td>
                <td>{t.expire ? dateInput(t.expire) : 'never'}</td>
                <td>{t.comment}</td>
                <td class="row-actions"><button type="button" class="danger-text" onClick={() => setDialog({ kind: 'delete', token: t })}>Delete</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <button type="button" onClick={() => setDialog({ kind: 'add' })}>Add token</button>
      {dialog && dialog.kind === 'add' && <TokenDialog base={base} userid={userid} onDone={changed} onClose={() => setDialog(null)} />}
      {dialog && dialog.kind === 'delete' && (
        <ConfirmDialog title="Delete API token" action="Delete the API token" name={`${userid}!${dialog.token.tokenid}`}
          onConfirm={async () => { await api.del(`${base}/${encodeURIComponent(dialog.token.tokenid)}`); changed(); }}
          onClose={() => setDialog(null)}>
          <p class="muted">Clients using it can no longer log in.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}

function TokenDialog({ base, userid, onDone, onClose }) {
  const { api } = useApp();
  const form = useForm({ tokenid: '', comment: '', expire: '', privsep: true });
  const [secret, setSecret] = useState(null);
  async function save(e) {
    e.preventDefault();
    const r = await form.submit((v) => (!v.tokenid.trim()
      ? Promise.reject(Object.assign(new Error('A token ID is needed.'), { errors: { tokenid: 'property is missing and it is not optional' } }))
      : api.post(`${base}/${encodeURIComponent(v.tokenid.trim())}`,
      { comment: v.comment, expire: expireEpoch(v.expire), privsep: v.privsep })));
    if (r) { setSecret(r); onDone(); }
  }
  if (secret) {
    return (
      <Dialog title="API token created" onClose={onClose}>
        <p>Copy the secret now: it is not shown again.</p>
        <dl class="facts">
          <div><dt>Token ID</dt><dd><code>{secret['full-tokenid']}</code></dd></div>
          <div><dt>Secret</dt><dd><code class="secret" data-testid="token-secret">{secret.value}</code></dd></div>
        </dl>
        <div class="actions"><button type="button" class="primary" onClick={onClose}>Done</button></div>
      </Dialog>
    );
  }
  return (
    <Dialog title={`Add API token for ${userid}`} onClose={onClose}>
      <form onSubmit={save} noValidate>
        <Field form={form} name="tokenid" label="Token ID" hint="Letters, digits, . - _; starts with a letter." />
        <Field form={form} name="comment" label="Comment" />
        <div class="row">
          <Field form={form} name="expire" label="Expires" type="date" hint="Empty: never." />
          <Field form={form} name="privsep" label="Privilege separation" type="checkbox" hint="Needs its own permissions." />
        </div>
        <FormMessage form={form} />
        <div class="actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={form.busy}>Add token</button>
        </div>
      </form>
    </Dialog>
  );
}
