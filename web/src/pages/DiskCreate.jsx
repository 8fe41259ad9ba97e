// The create wizards for storage on unused disks (LVM, LVM-thin, directory,
// ZFS, BTRFS): first the settings, with the plan the daemon answers for
// them (dry-run) shown as they change, then the exact plan — every step,
// command and file the task will run and write, naming each device it
// erases — and only then the task, whose log streams. The API's per-field
// errors take the wizard back to the settings, next to their fields.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { useApp } from '../components/context.js';
import { useForm } from '../components/form.js';
import { Field, FormMessage } from '../components/Field.jsx';
import { Dialog } from '../components/Dialog.jsx';
import { bytes } from '../lib/format.js';
import { askPlan, commandLine, errorText, planner } from '../lib/diskplan.js';
import { whenDone } from '../lib/tasklog.js';

/** KINDS are the wizards: title, the endpoint below /disks, and whether it takes several devices. */
export const KINDS = {
  lvm: { title: 'LVM volume group', multi: false },
  lvmthin: { title: 'LVM thin pool', multi: false },
  directory: { title: 'Directory', multi: false },
  zfs: { title: 'ZFS pool', multi: true },
  btrfs: { title: 'BTRFS', multi: true },
};

const INITIAL = {
  name: '', device: '', devices: [], add_storage: true, filesystem: 'ext4',
  raidlevel: 'mirror', ashift: '12', compression: 'on', 'draid-data': '', 'draid-spares': '',
  data: '', metadata: '', label: '', btrfscompression: '',
  aux: {}, 'log-mirror': false, 'special-mirror': false,
};

/** ZFS_LEVELS and BTRFS_PROFILES are the endpoints' enumerations (their rules are the API's). */
const ZFS_LEVELS = ['single', 'mirror', 'raid10', 'raidz', 'raidz2', 'raidz3', 'draid', 'draid2', 'draid3'];
const BTRFS_PROFILES = ['single', 'dup', 'raid0', 'raid1', 'raid10'];

/** AUX are the ZFS vdev classes beside the data devices (hostadm extension of create). */
export const AUX = ['cache', 'log', 'special'];

/** auxDevices are the devices given the class role, in the order of the list. */
function auxDevices(v, role) {
  return Object.entries(v.aux || {}).filter(([, r]) => r === role).map(([d]) => d);
}

/** candidates are the disks and partitions nothing uses. */
export function candidates(rows) {
  return rows.filter((d) => !d.used && !d.mounted);
}

/** createParams maps the wizard's values to the create endpoint's parameters. */
export function createParams(kind, v) {
  const p = { name: v.name.trim() };
  if (v.add_storage) p.add_storage = true;
  if (!KINDS[kind].multi) p.device = v.device;
  if (kind === 'directory') p.filesystem = v.filesystem;
  if (kind === 'zfs') {
    Object.assign(p, { devices: v.devices.join(','), raidlevel: v.raidlevel, ashift: v.ashift, compression: v.compression });
    if (v.raidlevel.startsWith('draid') && (v['draid-data'] || v['draid-spares'] !== '')) {
      p['draid-config'] = [v['draid-data'] && `data=${v['draid-data']}`, v['draid-spares'] !== '' && `spares=${v['draid-spares']}`].filter(Boolean).join(',');
    }
    for (const role of AUX) {
      const devs = auxDevices(v, role);
      if (!devs.length) continue;
      p[role] = devs.join(',');
      if (role !== 'cache' && v[`${role}-mirror`]) p[`${role}-mirror`] = true;
    }
  }
  if (kind === 'btrfs') {
    p.devices = v.devices.join(',');
    for (const k of ['data', 'metadata', 'label']) if (v[k]) p[k] = v[k].trim();
    if (v.btrfscompression) p.compression = v.btrfscompression;
  }
  return p;
}

/** ready tells whether the values are worth asking a plan for: a name and the device(s). */
export function ready(kind, v) {
  return !!v.name.trim() && (KINDS[kind].multi ? v.devices.length > 0 : !!v.device);
}

/**
 * DiskCreateDialog is the wizard of one kind over the /disks/list rows. On
 * success it closes, opens the task, and runs onDone when the task has ended.
 * planDelay is how long the settings rest before their plan is asked for.
 */
export function DiskCreateDialog({ kind, base, rows, onDone, onClose, planDelay = 300 }) {
  const { api, openTask } = useApp();
  const k = KINDS[kind];
  const form = useForm({ ...INITIAL }, ['name', 'device', 'devices', 'add_storage', 'filesystem', 'raidlevel', 'ashift', 'compression', 'draid-config', 'data', 'metadata', 'label', 'aux', ...AUX]);
  const [step, setStep] = useState('settings');
  const [preview, setPreview] = useState(null);
  const [plan, setPlan] = useState(null);
  const free = candidates(rows);
  const v = form.values;
  const params = createParams(kind, v);
  const schedule = useMemo(() => planner((p) => askPlan(api, base, kind, p), setPreview, planDelay), [api, base, kind, planDelay]);
  const key = JSON.stringify(params);
  useEffect(() => {
    if (step === 'settings' && ready(kind, v)) schedule(params);
    else schedule.cancel();
    return () => schedule.cancel();
  }, [key, step]);

  async function review(e) {
    e.preventDefault();
    schedule.cancel();
    const p = await form.submit(() => askPlan(api, base, kind, params));
    if (p) {
      setPlan(p);
      setStep('plan');
    }
  }
  async function run() {
    const upid = await form.submit((vals) => api.post(`${base}/${kind}`, createParams(kind, vals)));
    if (upid) {
      onClose();
      openTask(upid);
      whenDone(api, upid, onDone);
    } else {
      setStep('settings');
    }
  }
  const toggle = (dev) => {
    form.set('devices', v.devices.includes(dev) ? v.devices.filter((d) => d !== dev) : [...v.devices, dev]);
    if (v.aux[dev]) setRole(dev, '');
  };
  const setRole = (dev, role) => {
    const aux = { ...v.aux };
    if (role) aux[dev] = role; else delete aux[dev];
    form.set('aux', aux);
  };
  const levels = kind === 'zfs' ? ZFS_LEVELS : BTRFS_PROFILES;

  return (
    <Dialog title={`Create: ${k.title}`} onClose={onClose} wide>
      {step === 'settings' && (
        <form onSubmit={review} noValidate>
          <div class="row">
            <Field form={form} name="name" label="Name" placeholder={kind === 'zfs' ? 'tank' : 'data'} />
            {kind === 'directory' && <Field form={form} name="filesystem" label="File system" type="select" options={[['ext4', 'ext4'], ['xfs', 'xfs']]} />}
            {kind === 'zfs' && <Field form={form} name="raidlevel" label="RAID level" type="select" options={levels.map((l) => [l, l])} />}
          </div>
          {!k.multi && (
            <Field form={form} name="device" label="Device" type="select"
              options={[['', free.length ? 'Choose an unused disk or partition' : 'No unused disk'], ...free.map((d) => [d.devpath, `${d.devpath} — ${bytes(d.size)}${d.model ? ` ${d.model}` : ''}`])]} />
          )}
          {k.multi && (
            <fieldset class={`field devices${form.errors.devices ? ' has-error' : ''}`}>
              <legend>Devices <span class="muted">({v.devices.length} chosen)</span></legend>
              {!free.length && <p class="muted">No unused disk.</p>}
              {free.map((d) => (
                <label key={d.devpath} class="check-row">
                  <input type="checkbox" name="devices" value={d.devpath} checked={v.devices.includes(d.devpath)} onChange={() => toggle(d.devpath)} />
                  <code>{d.devpath}</code> <span class="muted">{bytes(d.size)} {d.model}</span>
                </label>
              ))}
              {form.errors.devices && <div class="field-error" role="alert">{form.errors.devices}</div>}
            </fieldset>
          )}
          {kind === 'zfs' && <div class="row">
            <Field form={form} name="compression" label="Compression" type="select" options={['on', 'off', 'lz4', 'zstd', 'gzip', 'lzjb', 'zle'].map((c) => [c, c])} />
            <Field form={form} name="ashift" label="ashift" type="number" min="9" max="16" hint="Sector size exponent: 12 is 4 KiB." />
          </div>}
          {kind === 'zfs' && v.raidlevel.startsWith('draid') && <div class="row">
            <Field form={form} name="draid-data" label="dRAID data devices per group" type="number" min="1" />
            <Field form={form} name="draid-spares" label="dRAID spares" type="number" min="0" />
          </div>}
          {kind === 'zfs' && form.errors['draid-config'] && <div class="field-error" role="alert">{form.errors['draid-config']}</div>}
          {kind === 'zfs' && <AuxVdevFields form={form} free={free.filter((d) => !v.devices.includes(d.devpath))} setRole={setRole} />}
          {kind === 'btrfs' && <div class="row">
            <Field form={form} name="data" label="Data profile" type="select" options={[['', '(mkfs default)'], ...levels.map((l) => [l, l])]} />
            <Field form={form} name="metadata" label="Metadata profile" type="select" options={[['', '(mkfs default)'], ...levels.map((l) => [l, l])]} />
            <Field form={form} name="btrfscompression" label="Compression" type="select" options={[['', 'none'], ['zstd', 'zstd'], ['lzo', 'lzo'], ['zlib', 'zlib']]} />
          </div>}
          {kind === 'btrfs' && <Field form={form} name="label" label="Label" hint="Defaults to the name." />}
          <Field form={form} name="add_storage" label="Add as storage" type="checkbox" />
          <PlanPreview ready={ready(kind, v)} preview={preview} />
          <FormMessage form={form} />
          <div class="actions">
            <button type="button" onClick={onClose}>Cancel</button>
            <button type="submit" class="primary" disabled={form.busy}>Review the plan</button>
          </div>
        </form>
      )}
      {step === 'plan' && plan && (
        <div data-testid="disk-plan">
          <p class="confirm-question">Everything on <strong class="object-name">{plan.devices.join(', ')}</strong> is erased. The task will:</p>
          <PlanSteps plan={plan} />
          <FormMessage form={form} />
          <div class="actions">
            <button type="button" onClick={() => setStep('settings')}>Back</button>
            <button type="button" class="danger" disabled={form.busy} onClick={run}>Create {k.title}</button>
          </div>
        </div>
      )}
    </Dialog>
  );
}

/**
 * AuxVdevFields give unused devices that are not data devices a role as
 * cache (L2ARC), log (SLOG) or special (metadata) vdev, log and special
 * mirrored when asked.
 */
function AuxVdevFields({ form, free, setRole }) {
  const v = form.values;
  const err = form.errors.aux || AUX.map((r) => form.errors[r]).find(Boolean);
  return (
    <details class="aux-vdevs" open={Object.keys(v.aux).length > 0 || !!err}>
      <summary>Cache, log and special devices</summary>
      <fieldset class={`field${err ? ' has-error' : ''}`} data-testid="aux-vdevs">
        <legend class="sr-only">Cache, log and special devices</legend>
        {!free.length && <p class="muted">No other unused disk.</p>}
        {free.map((d) => (
          <label key={d.devpath} class="check-row">
            <code>{d.devpath}</code> <span class="muted">{bytes(d.size)}</span>{' '}
            <select name="aux-role" data-dev={d.devpath} value={v.aux[d.devpath] || ''} disabled={form.busy} onChange={(e) => setRole(d.devpath, e.currentTarget.value)}>
              <option value="">not used</option>
              <option value="cache">cache (L2ARC)</option>
              <option value="log">log (SLOG)</option>
              <option value="special">special (metadata)</option>
            </select>
          </label>
        ))}
        {err && <div class="field-error" role="alert">{err}</div>}
      </fieldset>
      <div class="row">
        <Field form={form} name="log-mirror" label="Mirror the log devices" type="checkbox" />
        <Field form={form} name="special-mirror" label="Mirror the special devices" type="checkbox" hint="Losing the special vdev loses the pool." />
      </div>
    </details>
  );
}

/** PlanSteps lists a plan's steps: what each does, its command, the file it writes. */
export function PlanSteps({ plan }) {
  return (
    <ol class="plan">
      {plan.steps.map((s, i) => (
        <li key={i}>
          {s.text}
          {s.when && <span class="muted"> (only when {s.when})</span>}
          {s.optional ? <span class="muted"> (a failure is only a warning)</span> : null}
          {s.cmd && <pre class="plan-cmd">{commandLine(s)}</pre>}
          {s.file && <pre class="plan-file" data-path={s.file.path}><span class="muted">{s.file.path}{s.file.line ? ' gets the line' : ''}:</span>{'\n'}{s.file.content || s.file.line}</pre>}
        </li>
      ))}
    </ol>
  );
}

/**
 * PlanPreview shows, under the settings, the plan the daemon answered for
 * them as they stand, or its refusal; values appear as "<name>" where the
 * task learns them while it runs.
 */
function PlanPreview({ ready: isReady, preview }) {
  return (
    <section class="plan-preview" data-testid="disk-plan-preview" aria-live="polite">
      <h4>Plan</h4>
      {!isReady && <p class="muted">Give a name and choose the device{'(s)'} to see the commands the task will run.</p>}
      {isReady && !preview && <p class="muted">Asking the node for the plan…</p>}
      {isReady && preview && preview.error && <pre class="alert alert-error plan-error" role="alert">{errorText(preview.error)}</pre>}
      {isReady && preview && preview.plan && <PlanSteps plan={preview.plan} />}
    </section>
  );
}
