// The user dialogs: create, edit, change password. Each sends exactly the
// API's parameters and shows the API's message next to the field it names.
import { useApp } from '../components/context.js';
import { useForm } from '../components/form.js';
import { Field, FormMessage } from '../components/Field.jsx';
import { Dialog } from '../components/Dialog.jsx';
import { dateInput, expireEpoch } from '../lib/format.js';

/** userParams maps the user form to API parameters (create adds userid and password). */
export function userParams(v, create) {
  const p = {
    firstname: v.firstname, lastname: v.lastname, email: v.email, comment: v.comment,
    enable: !!v.enable, expire: expireEpoch(v.expire),
  };
  if (create) {
    p.userid = v.userid.trim();
    if (v.password) p.password = v.password;
  }
  return p;
}

export function UserDialog({ user, onDone, onClose }) {
  const { api } = useApp();
  const create = !user;
  const form = useForm({
    userid: user ? user.userid : '', password: '', confirm: '',
    firstname: (user && user.firstname) || '', lastname: (user && user.lastname) || '',
    email: (user && user.email) || '', comment: (user && user.comment) || '',
    enable: user ? user.enable !== 0 : true, expire: dateInput(user && user.expire),
  }, ['userid', 'password', 'confirm', 'firstname', 'lastname', 'email', 'comment', 'enable', 'expire']);

  async function save(e) {
    e.preventDefault();
    const ok = await form.submit(async (v) => {
      if (create && v.password !== v.confirm) {
        throw Object.assign(new Error('The passwords differ.'), { errors: { confirm: 'does not match the password' } });
      }
      if (create) await api.post('/access/users', userParams(v, true));
      else await api.put(`/access/users/${encodeURIComponent(user.userid)}`, userParams(v, false));
      return true;
    });
    if (ok) onDone();
  }

  return (
    <Dialog title={create ? 'Add user' : `Edit user ${user.userid}`} onClose={onClose}>
      <form onSubmit={save} noValidate>
        {create && <Field form={form} name="userid" label="User ID" placeholder="name@pve" hint="name@realm; users of the pve realm get a password here, pam users log in with their system password." required />}
        {create && <div class="row">
          <Field form={form} name="password" label="Password" type="password" autocomplete="new-password" />
          <Field form={form} name="confirm" label="Repeat password" type="password" autocomplete="new-password" />
        </div>}
        <div class="row">
          <Field form={form} name="firstname" label="First name" />
          <Field form={form} name="lastname" label="Last name" />
        </div>
        <Field form={form} name="email" label="E-mail" type="email" />
        <div class="row">
          <Field form={form} name="expire" label="Expires" type="date" hint="Empty: never." />
          <Field form={form} name="enable" label="Enabled" type="checkbox" />
        </div>
        <Field form={form} name="comment" label="Comment" />
        <FormMessage form={form} />
        <div class="actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={form.busy}>{create ? 'Add' : 'Save'}</button>
        </div>
      </form>
    </Dialog>
  );
}

export function PasswordDialog({ userid, onClose }) {
  const { api, session } = useApp();
  const form = useForm({ password: '', confirm: '', 'confirmation-password': '' });
  const self = session.user === userid;
  async function save(e) {
    e.preventDefault();
    const ok = await form.submit(async (v) => {
      if (v.password !== v.confirm) {
        throw Object.assign(new Error('The passwords differ.'), { errors: { confirm: 'does not match the password' } });
      }
      const p = { userid, password: v.password };
      if (v['confirmation-password']) p['confirmation-password'] = v['confirmation-password'];
      await api.put('/access/password', p);
      return true;
    });
    if (ok) onClose();
  }
  return (
    <Dialog title={`Password of ${userid}`} onClose={onClose}>
      <form onSubmit={save} noValidate>
        <Field form={form} name="password" label="New password" type="password" autocomplete="new-password" />
        <Field form={form} name="confirm" label="Repeat new password" type="password" autocomplete="new-password" />
        <Field form={form} name="confirmation-password" label={self ? 'Your current password' : 'Your own password'} type="password"
          autocomplete="current-password" hint="Needed unless you are root@pam." />
        <FormMessage form={form} />
        <div class="actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={form.busy}>Change password</button>
        </div>
      </form>
    </Dialog>
  );
}
