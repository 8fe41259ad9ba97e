// The create/edit dialog for a metric server: the fields of its type, each
// with the API's message next to it. Editing reads the entry (with its
// digest) first; the token is write-only and kept when left empty.
import { useEffect } from 'preact/hooks';
import { useApp } from '../components/context.js';
import { useForm } from '../components/form.js';
import { Field, FormMessage } from '../components/Field.jsx';
import { Dialog } from '../components/Dialog.jsx';
import { ErrorAlert } from '../components/Alert.jsx';
import { useResource } from '../lib/poll.js';
import { FIELDS, TYPES, formValues, serverParams } from '../lib/metricform.js';

const NAMES = ['id', 'type', 'server', 'port', 'disable', 'delete', 'digest', ...new Set(Object.values(FIELDS).flat())];

export function MetricServerDialog({ base, id, onDone, onClose }) {
  const { api } = useApp();
  const create = !id;
  const entry = useResource(() => (create ? Promise.resolve(null) : api.get(`${base}/${encodeURIComponent(id)}`)), [id]);
  const form = useForm(formValues(), NAMES);
  useEffect(() => { if (entry.data) form.setValues(formValues({ ...entry.data, id })); }, [entry.data]);
  const v = form.values;
  async function save(e) {
    e.preventDefault();
    const ok = await form.submit(async (vals) => {
      if (create) await api.post(`${base}/${encodeURIComponent(vals.id.trim())}`, serverParams(vals, null));
      else await api.put(`${base}/${encodeURIComponent(id)}`, serverParams(vals, entry.data));
      return true;
    });
    if (ok) onDone();
  }
  const has = (k) => FIELDS[v.type].includes(k);
  return (
    <Dialog title={create ? 'Add metric server' : `Edit metric server ${id}`} onClose={onClose}>
      <ErrorAlert error={entry.error} />
      <form onSubmit={save} noValidate>
        <div class="row">
          {create ? <Field form={form} name="id" label="ID" placeholder="influx1" /> : <div class="field"><label>ID</label><div><strong>{id}</strong></div></div>}
          {create ? <Field form={form} name="type" label="Type" type="select" options={TYPES} /> : <div class="field"><label>Type</label><div>{v.type}</div></div>}
        </div>
        <div class="row">
          <Field form={form} name="server" label="Server" placeholder="192.0.2.5 or metrics.example.com" />
          <Field form={form} name="port" label="Port" type="number" min="1" max="65536" placeholder={v.type === 'graphite' ? '2003' : v.type === 'influxdb' ? '8089' : '4318'} />
        </div>
        {v.type === 'graphite' && <div class="row">
          <Field form={form} name="proto" label="Protocol" type="select" options={[['', 'UDP (default)'], ['udp', 'UDP'], ['tcp', 'TCP']]} />
          <Field form={form} name="path" label="Path prefix" placeholder="proxmox" />
        </div>}
        {v.type === 'influxdb' && <>
          <div class="row">
            <Field form={form} name="influxdbproto" label="Protocol" type="select" options={[['', 'UDP (default)'], ['udp', 'UDP'], ['http', 'HTTP'], ['https', 'HTTPS']]} />
            <Field form={form} name="max-body-size" label="Max body size (bytes)" type="number" placeholder="25000000" />
          </div>
          <div class="row">
            <Field form={form} name="organization" label="Organization" />
            <Field form={form} name="bucket" label="Bucket" />
          </div>
          <Field form={form} name="token" label="Token" type="password" autocomplete="new-password"
            hint={create ? 'For the HTTP v2 API; user:password for the v1 compatibility API.' : 'Leave empty to keep the stored token.'} />
          <Field form={form} name="api-path-prefix" label="API path prefix" />
          <Field form={form} name="verify-certificate" label="Verify the server's certificate" type="checkbox" />
        </>}
        {v.type === 'opentelemetry' && <>
          <div class="row">
            <Field form={form} name="otel-protocol" label="Protocol" type="select" options={[['', 'HTTPS (default)'], ['http', 'HTTP'], ['https', 'HTTPS']]} />
            <Field form={form} name="otel-path" label="Path" placeholder="/v1/metrics" />
          </div>
          <div class="row">
            <Field form={form} name="otel-timeout" label="Timeout (s)" type="number" min="1" max="10" placeholder="5" />
            <Field form={form} name="otel-compression" label="Compression" type="select" options={[['', 'gzip (default)'], ['gzip', 'gzip'], ['none', 'none']]} />
          </div>
          <Field form={form} name="otel-max-body-size" label="Max body size (bytes)" type="number" placeholder="10000000" />
          <Field form={form} name="otel-headers" label="Headers" hint="JSON, base64 encoded." />
          <Field form={form} name="otel-resource-attributes" label="Resource attributes" hint="JSON, base64 encoded." />
          <Field form={form} name="otel-verify-ssl" label="Verify the server's certificate" type="checkbox" />
        </>}
        {(has('mtu') || has('timeout')) && <div class="row">
          {has('mtu') && <Field form={form} name="mtu" label="MTU (UDP)" type="number" min="512" max="65536" placeholder="1500" />}
          {has('timeout') && <Field form={form} name="timeout" label="Timeout (s)" type="number" min="0" placeholder="1" />}
        </div>}
        <Field form={form} name="disable" label="Disabled" type="checkbox" />
        <FormMessage form={form} />
        <div class="actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={form.busy || (!create && !entry.data)}>{create ? 'Add' : 'Save'}</button>
        </div>
      </form>
    </Dialog>
  );
}
