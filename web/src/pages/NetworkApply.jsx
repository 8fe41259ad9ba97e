// The apply dialog: the pending diff, the node's name to type, and the
// rollback timeout (on by default) — the change is undone unless it is
// confirmed in time, so a wrong address cannot lock the admin out for good.
import { useState } from 'preact/hooks';
import { useApp } from '../components/context.js';
import { useForm } from '../components/form.js';
import { Field, FormMessage } from '../components/Field.jsx';
import { Dialog } from '../components/Dialog.jsx';

/** applyParams maps the dialog to PUT /nodes/{node}/network's parameters. */
export function applyParams(v) {
  const p = {};
  if (v.rollback) p['rollback-timeout'] = String(v['rollback-timeout']).trim();
  if (v.force) p.force = true;
  return p;
}

export function ApplyDialog({ base, children, onApplied, onClose }) {
  const { api, node } = useApp();
  const form = useForm({ rollback: true, 'rollback-timeout': '60', force: false }, ['rollback-timeout', 'force']);
  const [typed, setTyped] = useState('');
  async function apply(e) {
    e.preventDefault();
    if (typed !== node) return;
    const params = applyParams(form.values);
    const submittedAt = Date.now();
    const upid = await form.submit((v) => api.put(base, applyParams(v)));
    if (upid) onApplied({ upid, timeout: params['rollback-timeout'] ? Number(params['rollback-timeout']) : 0, submittedAt });
  }
  return (
    <Dialog title="Apply network configuration" onClose={onClose} wide>
      <form onSubmit={apply} noValidate>
        <p class="confirm-question">Apply the pending network changes on <strong class="object-name">{node}</strong>?</p>
        {children}
        <div class="row">
          <Field form={form} name="rollback" label="Roll back unless confirmed" type="checkbox" />
          {form.values.rollback && (
            <Field form={form} name="rollback-timeout" label="Confirm within (seconds)" type="number" min="5" max="3600"
              hint="If you do not confirm in time — say, because the new address cut you off — the previous configuration comes back." />
          )}
        </div>
        <Field form={form} name="force" label="Apply even if it drops the address this page uses or the default gateway" type="checkbox" />
        <div class="field">
          <label for="apply-confirm-name">Type <strong>{node}</strong> to confirm</label>
          <input id="apply-confirm-name" name="apply-confirm-name" value={typed} autocomplete="off" onInput={(e) => setTyped(e.currentTarget.value)} />
        </div>
        <FormMessage form={form} />
        <div class="actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="danger" disabled={typed !== node || form.busy}>Apply</button>
        </div>
      </form>
    </Dialog>
  );
}
