// Login asks for user, password and realm (the realms come from
// /access/domains, which needs no login).
import { useEffect, useState } from 'preact/hooks';
import { useForm } from '../components/form.js';
import { Field } from '../components/Field.jsx';

export function Login({ session }) {
  const [realms, setRealms] = useState([['pam', 'Linux PAM standard authentication'], ['pve', 'Proxmox VE authentication server']]);
  const form = useForm({ username: '', password: '', realm: 'pam' });
  const [error, setError] = useState('');

  useEffect(() => {
    session.api.get('/access/domains').then((list) => {
      if (!list || !list.length) return;
      setRealms(list.map((d) => [d.realm, d.comment || d.realm]));
      const def = list.find((d) => d.default) || list[0];
      form.set('realm', def.realm);
    }).catch(() => {});
  }, []);

  async function submit(e) {
    e.preventDefault();
    setError('');
    await form.submit(async (v) => {
      try {
        await session.login(v.username.trim(), v.password, v.realm);
      } catch (err) {
        setError(err.message);
      }
    });
  }

  return (
    <main class="login">
      <form class="login-box" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title"><span class="logo" aria-hidden="true" />hostadm</h1>
        <p class="muted">Log in to manage this node.</p>
        {session.notice && <div class="alert alert-warn" role="status">{session.notice}</div>}
        <Field form={form} name="username" label="User name" autocomplete="username" required autofocus />
        <Field form={form} name="password" label="Password" type="password" autocomplete="current-password" required />
        <Field form={form} name="realm" label="Realm" type="select" options={realms} />
        {error && <div class="alert alert-error" role="alert" data-testid="login-error">{error}</div>}
        <button type="submit" class="primary wide" disabled={form.busy}>{form.busy ? 'Logging in…' : 'Log in'}</button>
      </form>
    </main>
  );
}
