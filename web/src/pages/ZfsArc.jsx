// ZFS ARC limits: what the ARC uses now, its effective, live and configured
// limits, the recommendation, and a form to set zfs_arc_max (and
// zfs_arc_min when it must move along). The change runs as a task; with
// root on ZFS that task also rebuilds the initramfs.
import { useApp } from '../components/context.js';
import { useForm } from '../components/form.js';
import { Field, FormMessage } from '../components/Field.jsx';
import { ErrorAlert } from '../components/Alert.jsx';
import { Meter } from '../components/Meter.jsx';
import { useResource } from '../lib/poll.js';
import { bytes } from '../lib/format.js';
import { whenDone } from '../lib/tasklog.js';
import { MIN_ARC_MAX, arcPlan, effectiveMin, parseSize } from '../lib/arc.js';

/** sizeText writes bytes the way the form reads them back: whole GiB or MiB when exact. */
export function sizeText(n) {
  if (!n) return '';
  if (n % 1024 ** 3 === 0) return `${n / 1024 ** 3}G`;
  if (n % 1024 ** 2 === 0) return `${n / 1024 ** 2}M`;
  return String(n);
}

function Limit({ v, unset = 'default' }) {
  return v ? <>{bytes(v)} <span class="muted small">({v} bytes)</span></> : <span class="muted">{unset}</span>;
}

export function ZfsArc({ base }) {
  const { api, openTask } = useApp();
  const res = useResource(() => api.get(`${base}/zfs-arc`), [base]);
  const a = res.data;
  return (
    <div>
      <div class="page-head">
        <h2>ZFS ARC</h2>
        <div class="actions"><button type="button" onClick={() => res.reload()}>Reload</button></div>
      </div>
      <ErrorAlert error={res.error} />
      {a && (
        <div class="cards">
          <article class="card" aria-labelledby="arc-now-h">
            <h3 id="arc-now-h">Now</h3>
            {a.max ? <Meter label="ARC size" fraction={a.size / a.max} text={`${bytes(a.size)} of ${bytes(a.max)}`} />
              : <p class="muted">The zfs module is not loaded: there is no ARC now, and limits set here apply when it loads.</p>}
            <dl class="facts" data-testid="arc-facts">
              <div><dt>Effective min / max</dt><dd>{a.max ? `${bytes(a.min)} / ${bytes(a.max)}` : '–'}</dd></div>
              <div><dt>Live zfs_arc_max</dt><dd data-testid="arc-param-max"><Limit v={a.param_max} /></dd></div>
              <div><dt>Live zfs_arc_min</dt><dd><Limit v={a.param_min} unset={`default (1/32 of memory: ${bytes(Math.floor((a.memtotal || 0) / 32))})`} /></dd></div>
              <div><dt>In zfs.conf (boot)</dt><dd data-testid="arc-conf">max <Limit v={a.conf_max} unset="not set" />, min <Limit v={a.conf_min} unset="not set" /></dd></div>
              <div><dt>Memory</dt><dd>{bytes(a.memtotal)}</dd></div>
              <div><dt>Pools</dt><dd>{bytes(a.pool_size)}</dd></div>
            </dl>
          </article>
          <ArcForm arc={a} base={base} api={api} openTask={openTask} onDone={res.reload} />
        </div>
      )}
    </div>
  );
}

function ArcForm({ arc, base, api, openTask, onDone }) {
  const form = useForm({ max: sizeText(arc.conf_max || arc.param_max), min: '' }, ['max', 'min']);
  const plan = arcPlan(arc, form.values.max, form.values.min);
  const max = parseSize(form.values.max);
  const moved = !plan.params ? 0 : plan.newMin;
  async function save(e) {
    e.preventDefault();
    if (!plan.params) {
      form.fail({ errors: plan.errors });
      return;
    }
    const upid = await form.submit(() => api.put(`${base}/zfs-arc`, plan.params));
    if (upid) {
      openTask(upid);
      whenDone(api, upid, onDone);
    }
  }
  return (
    <article class="card" aria-labelledby="arc-set-h">
      <h3 id="arc-set-h">Set the limits</h3>
      <p class="hint">Recommended zfs_arc_max: <strong data-testid="arc-recommended">{bytes(arc.recommended)}</strong> (10 % of
        the memory, at most 16 GiB). Rule of thumb: {bytes(arc.rule_of_thumb)} (2 GiB + 1 GiB per TiB of pool).</p>
      <form onSubmit={save} noValidate>
        <div class="row">
          <Field form={form} name="max" label="Maximum (zfs_arc_max)" placeholder="e.g. 8G" autocomplete="off"
            hint={max ? `${max} bytes; at least ${bytes(MIN_ARC_MAX)}` : `bytes, or with a unit: 8G, 512M; at least ${bytes(MIN_ARC_MAX)}`} />
          <Field form={form} name="min" label="Minimum (zfs_arc_min, optional)" placeholder="keep" autocomplete="off"
            hint={`Now ${bytes(effectiveMin(arc))}.`} />
        </div>
        <div class="actions left">
          <button type="button" onClick={() => form.set('max', sizeText(arc.recommended))}>Use the recommendation</button>
        </div>
        {moved > 0 && !form.values.min.trim() && (
          <div class="alert alert-warn" data-testid="arc-min-note">ZFS ignores a maximum that is not above zfs_arc_min ({bytes(effectiveMin(arc))}),
            so zfs_arc_min will be set to {bytes(moved)} ({moved} bytes) along with it. Give a minimum to choose another.</div>
        )}
        <p class="hint" data-testid="arc-initramfs">{arc.root_on_zfs
          ? <>Root is on ZFS: the limits are read from the initramfs at boot, so the task also runs <code>update-initramfs -u -k all</code>.</>
          : <>The limits apply now and are written to <code>/etc/modprobe.d/zfs.conf</code> for the next boot; root is not on ZFS, so no <code>update-initramfs</code> is needed.</>}</p>
        <FormMessage form={form} />
        <div class="actions">
          <button type="submit" class="primary" disabled={form.busy}>Set limits</button>
        </div>
      </form>
    </article>
  );
}
