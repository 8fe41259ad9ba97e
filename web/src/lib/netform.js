// The network form's logic: which fields each interface type has, and the
// API parameters for create and update (emptied fields are deleted).

/** TYPE_FIELDS lists the type-specific parameters the form shows per type. */
export const TYPE_FIELDS = {
  bridge: ['bridge_ports', 'bridge_vlan_aware'],
  bond: ['slaves', 'bond_mode', 'bond-primary', 'bond_xmit_hash_policy'],
  vlan: ['vlan-raw-device', 'vlan-id'],
  eth: [],
};

/** COMMON_FIELDS are shown for every type. */
export const COMMON_FIELDS = ['cidr', 'gateway', 'cidr6', 'gateway6', 'mtu', 'autostart', 'comments'];

/** fieldsFor is every parameter the form sends for a type. */
export function fieldsFor(type) {
  return [...(TYPE_FIELDS[type] || []), ...COMMON_FIELDS];
}

const BOOLEAN = new Set(['autostart', 'bridge_vlan_aware']);

/** formValues turns an interface from the list into form values. */
export function formValues(iface) {
  const v = { iface: iface.iface || '', type: iface.type || 'bridge' };
  for (const k of [...new Set(Object.values(TYPE_FIELDS).flat()), ...COMMON_FIELDS]) {
    v[k] = BOOLEAN.has(k) ? !!Number(iface[k] || 0) : String(iface[k] ?? '');
  }
  if (!iface.iface) v.autostart = true;
  return v;
}

/** netParams builds create (with iface and type) or update parameters; update deletes emptied fields that were set. */
export function netParams(values, before) {
  const p = {};
  const del = [];
  for (const k of fieldsFor(values.type)) {
    const v = values[k];
    if (BOOLEAN.has(k)) { p[k] = !!v; continue; }
    const s = String(v ?? '').trim();
    if (s !== '') p[k] = s;
    else if (before && before[k] !== undefined && before[k] !== '') del.push(k);
  }
  if (!before) {
    p.iface = values.iface.trim();
    p.type = values.type;
  } else {
    p.type = values.type;
  }
  if (del.length) p.delete = del.join(',');
  return p;
}

/** diffLines classifies the lines of a unified diff for display. */
export function diffLines(changes) {
  if (!changes) return [];
  return changes.replace(/\n$/, '').split('\n').map((text) => {
    if (text.startsWith('+++') || text.startsWith('---')) return { kind: 'file', text };
    if (text.startsWith('@@')) return { kind: 'hunk', text };
    if (text.startsWith('+')) return { kind: 'add', text };
    if (text.startsWith('-')) return { kind: 'del', text };
    return { kind: 'ctx', text };
  });
}
