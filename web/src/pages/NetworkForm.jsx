// The create/edit dialog for a network interface: the fields of its type,
// each with the API's own validation message next to it.
import { useApp } from '../components/context.js';
import { useForm } from '../components/form.js';
import { Field, FormMessage } from '../components/Field.jsx';
import { Dialog } from '../components/Dialog.jsx';
import { fieldsFor, formValues, netParams } from '../lib/netform.js';

const TYPES = [['bridge', 'Linux bridge'], ['bond', 'Linux bond'], ['vlan', 'Linux VLAN']];
const BOND_MODES = ['balance-rr', 'active-backup', 'balance-xor', 'broadcast', '802.3ad', 'balance-tlb', 'balance-alb'];

export function NetworkDialog({ base, iface, onDone, onClose }) {
  const { api } = useApp();
  const create = !iface;
  const form = useForm(formValues(iface || {}), ['iface', 'type', 'delete', ...new Set([...fieldsFor('bridge'), ...fieldsFor('bond'), ...fieldsFor('vlan')])]);
  const t = form.values.type;
  async function save(e) {
    e.preventDefault();
    const ok = await form.submit(async (v) => {
      if (create) await api.post(base, netParams(v, null));
      else await api.put(`${base}/${encodeURIComponent(iface.iface)}`, netParams(v, iface));
      return true;
    });
    if (ok) onDone();
  }
  return (
    <Dialog title={create ? 'Create network interface' : `Edit ${iface.iface}`} onClose={onClose}>
      <form onSubmit={save} noValidate>
        <div class="row">
          {create ? <Field form={form} name="type" label="Type" type="select" options={TYPES} /> : <div class="field"><label>Type</label><div>{iface.type}</div></div>}
          {create && <Field form={form} name="iface" label="Name" placeholder={t === 'bridge' ? 'vmbr1' : t === 'bond' ? 'bond0' : 'vmbr0.100'} />}
        </div>
        {t === 'bridge' && <>
          <Field form={form} name="bridge_ports" label="Bridge ports" placeholder="eno1" hint="Interfaces separated by spaces." />
          <Field form={form} name="bridge_vlan_aware" label="VLAN aware" type="checkbox" />
        </>}
        {t === 'bond' && <>
          <Field form={form} name="slaves" label="Slaves" placeholder="eno1 eno2" />
          <div class="row">
            <Field form={form} name="bond_mode" label="Mode" type="select" options={[['', '(default)'], ...BOND_MODES.map((m) => [m, m])]} />
            {form.values.bond_mode === 'active-backup' && <Field form={form} name="bond-primary" label="Primary" />}
            {(form.values.bond_mode === 'balance-xor' || form.values.bond_mode === '802.3ad') && (
              <Field form={form} name="bond_xmit_hash_policy" label="Hash policy" type="select" options={[['', '(default)'], ['layer2', 'layer2'], ['layer2+3', 'layer2+3'], ['layer3+4', 'layer3+4']]} />
            )}
          </div>
        </>}
        {t === 'vlan' && <div class="row">
          <Field form={form} name="vlan-raw-device" label="VLAN raw device" placeholder="eno1" hint="Not needed when the name is device.tag." />
          <Field form={form} name="vlan-id" label="VLAN tag" type="number" min="1" max="4094" />
        </div>}
        <div class="row">
          <Field form={form} name="cidr" label="IPv4/CIDR" placeholder="192.0.2.10/24" />
          <Field form={form} name="gateway" label="Gateway (IPv4)" />
        </div>
        <div class="row">
          <Field form={form} name="cidr6" label="IPv6/CIDR" />
          <Field form={form} name="gateway6" label="Gateway (IPv6)" />
        </div>
        <div class="row">
          <Field form={form} name="mtu" label="MTU" type="number" min="1280" max="65520" />
          <Field form={form} name="autostart" label="Autostart" type="checkbox" />
        </div>
        <Field form={form} name="comments" label="Comment" />
        <FormMessage form={form} />
        <div class="actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={form.busy}>{create ? 'Create' : 'Save'}</button>
        </div>
      </form>
    </Dialog>
  );
}
