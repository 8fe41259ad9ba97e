// Node options: the notes (description) and the Wake-on-LAN MAC address
// from the node config, saved with its digest; an emptied field is deleted.
import { useEffect, useState } from 'preact/hooks';
import { useApp } from '../../components/context.js';
import { useForm } from '../../components/form.js';
import { Field, FormMessage } from '../../components/Field.jsx';
import { ErrorAlert } from '../../components/Alert.jsx';
import { useResource } from '../../lib/poll.js';
import { Markdown } from '../../lib/markdown.js';

/** FIELDS are the node config keys this form edits. */
const FIELDS = ['description', 'wakeonlan', 'startall-onboot-delay'];

/** optionParams sets the filled fields and deletes the emptied ones that were set before. */
export function optionParams(values, before, digest) {
  const p = { digest };
  const del = [];
  for (const k of FIELDS) {
    const v = String(values[k] ?? '').trim();
    if (v !== '') p[k] = k === 'description' ? values[k] : v;
    else if (before[k] !== undefined && before[k] !== '') del.push(k);
  }
  if (del.length) p.delete = del.join(',');
  return p;
}

export function OptionsSection() {
  const { api, node } = useApp();
  const path = `/nodes/${encodeURIComponent(node)}/config`;
  const config = useResource(() => api.get(path), [node]);
  const form = useForm({ description: '', wakeonlan: '', 'startall-onboot-delay': '' }, [...FIELDS, 'delete', 'digest']);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    const c = config.data;
    if (c) form.setValues({ description: c.description || '', wakeonlan: c.wakeonlan || '', 'startall-onboot-delay': c['startall-onboot-delay'] ?? '' });
  }, [config.data]);
  async function save(e) {
    e.preventDefault();
    setSaved(false);
    const ok = await form.submit(async (v) => { await api.put(path, optionParams(v, config.data || {}, config.data && config.data.digest)); return true; });
    if (ok) { setSaved(true); config.reload(); }
  }
  return (
    <article class="card">
      <h2>Node options</h2>
      <ErrorAlert error={config.error} />
      <form onSubmit={save} noValidate>
        <Field form={form} name="description" label="Notes" type="textarea" rows={6} hint="Markdown: headings, lists, **bold**, *italic*, `code`, links. Shown on the summary." />
        {form.values.description.trim() && (
          <details class="field" open>
            <summary>Preview</summary>
            <div class="card" data-testid="notes-preview"><Markdown text={form.values.description} /></div>
          </details>
        )}
        <div class="row">
          <Field form={form} name="wakeonlan" label="Wake-on-LAN MAC address" placeholder="aa:bb:cc:dd:ee:ff" hint="Property string: mac=…[,bind-interface=…][,broadcast-address=…]" />
          <Field form={form} name="startall-onboot-delay" label="Start-on-boot delay (s)" type="number" min="0" max="300" />
        </div>
        <FormMessage form={form} />
        {saved && <div class="alert alert-ok" role="status">Saved.</div>}
        <div class="actions"><button type="submit" class="primary" disabled={form.busy}>Save</button></div>
      </form>
    </article>
  );
}
