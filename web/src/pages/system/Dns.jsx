// DNS: search domain and up to three name servers (/etc/resolv.conf).
import { useEffect, useState } from 'preact/hooks';
import { useApp } from '../../components/context.js';
import { useForm } from '../../components/form.js';
import { Field, FormMessage } from '../../components/Field.jsx';
import { ErrorAlert } from '../../components/Alert.jsx';
import { useResource } from '../../lib/poll.js';

export function DnsSection() {
  const { api, node } = useApp();
  const path = `/nodes/${encodeURIComponent(node)}/dns`;
  const dns = useResource(() => api.get(path), [node]);
  const form = useForm({ search: '', dns1: '', dns2: '', dns3: '' });
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (dns.data) form.setValues({ search: dns.data.search || '', dns1: dns.data.dns1 || '', dns2: dns.data.dns2 || '', dns3: dns.data.dns3 || '' });
  }, [dns.data]);
  async function save(e) {
    e.preventDefault();
    setSaved(false);
    const ok = await form.submit(async (v) => {
      const p = { search: v.search.trim() };
      for (const k of ['dns1', 'dns2', 'dns3']) if (v[k].trim()) p[k] = v[k].trim();
      await api.put(path, p);
      return true;
    });
    if (ok) { dns.reload(); setSaved(true); }
  }
  return (
    <article class="card narrow">
      <h2>DNS</h2>
      <ErrorAlert error={dns.error} />
      <form onSubmit={save} noValidate>
        <Field form={form} name="search" label="Search domain" placeholder="example.com" />
        <Field form={form} name="dns1" label="DNS server 1" placeholder="192.0.2.53" />
        <Field form={form} name="dns2" label="DNS server 2" />
        <Field form={form} name="dns3" label="DNS server 3" />
        <FormMessage form={form} />
        {saved && !form.message && <div class="alert alert-ok" role="status">Saved.</div>}
        <div class="actions"><button type="submit" class="primary" disabled={form.busy}>Save</button></div>
      </form>
    </article>
  );
}
