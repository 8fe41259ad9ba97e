// The metric server form: which fields each server type has (as status.cfg's
// schema gives them), and the mapping to the API's create/update parameters.

/** TYPES are the metric server plugins. */
export const TYPES = [['graphite', 'Graphite'], ['influxdb', 'InfluxDB'], ['opentelemetry', 'OpenTelemetry']];

/** FIELDS lists each type's own properties (besides id, server, port, disable). */
export const FIELDS = {
  graphite: ['proto', 'path', 'mtu', 'timeout'],
  influxdb: ['influxdbproto', 'organization', 'bucket', 'token', 'api-path-prefix', 'max-body-size', 'verify-certificate', 'mtu', 'timeout'],
  opentelemetry: ['otel-protocol', 'otel-path', 'otel-timeout', 'otel-verify-ssl', 'otel-compression', 'otel-max-body-size', 'otel-headers', 'otel-resource-attributes'],
};

/** BOOLS are the checkbox properties with their default when unset. */
export const BOOLS = { disable: false, 'verify-certificate': true, 'otel-verify-ssl': true };

const ALL = [...new Set(['server', 'port', ...Object.values(FIELDS).flat()])];

/** formValues turns a read server (or nothing) into form values. */
export function formValues(s = {}) {
  const v = { id: s.id || '', type: s.type || 'influxdb' };
  for (const k of ALL) v[k] = s[k] === undefined || s[k] === null ? '' : String(s[k]);
  for (const [k, def] of Object.entries(BOOLS)) v[k] = s[k] === undefined ? def : !!Number(s[k]);
  v.token = '';
  return v;
}

/**
 * serverParams maps the form to create (before = null) or update parameters:
 * filled fields are sent, fields an edit emptied are deleted, checkboxes are
 * sent when they differ from what was there (or the default). An empty token
 * on edit keeps the stored one.
 */
export function serverParams(v, before) {
  const keys = ['server', 'port', ...FIELDS[v.type]];
  const p = {};
  const del = [];
  for (const k of keys) {
    if (k in BOOLS) continue;
    const s = String(v[k] ?? '').trim();
    if (s !== '') p[k] = s;
    else if (before && k !== 'token' && before[k] !== undefined && before[k] !== '') del.push(k);
  }
  for (const k of ['disable', ...keys.filter((k) => k in BOOLS)]) {
    const was = before && before[k] !== undefined ? !!Number(before[k]) : BOOLS[k];
    if (v[k] !== was) p[k] = v[k];
  }
  if (!before) {
    p.id = v.id.trim();
    p.type = v.type;
  } else if (before.digest) {
    p.digest = before.digest;
  }
  if (del.length) p.delete = del.join(',');
  return p;
}

/** health classifies a list entry: disabled, failing, ok, or idle (no round yet / not running). */
export function health(s) {
  if (s.disable) return { kind: 'error', text: 'disabled', tone: 'running' };
  if (s.failing) return { kind: 'error', text: 'failing', tone: 'error' };
  if (s['last-success']) return { kind: 'ok', text: 'sending', tone: 'ok' };
  return { kind: 'idle', text: s.failing === undefined ? 'not running' : 'waiting', tone: 'running' };
}
