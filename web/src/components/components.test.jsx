import { describe, expect, it, vi } from 'vitest';
import { AppContext } from './context.js';
import { ConfirmDialog } from './Dialog.jsx';
import { navItems } from './Layout.jsx';
import { splitErrors } from './form.js';
import { UserDialog, userParams } from '../pages/UserForms.jsx';
import { aclParams } from '../pages/Acl.jsx';
import { Login } from '../pages/Login.jsx';
import { Session } from '../lib/auth.js';
import { createClient } from '../lib/api.js';
import { byText, click, fakeFetch, mount, settle, type } from '../test/helpers.js';

function withApp(api, vnode) {
  return <AppContext.Provider value={{ api, session: { user: 'root@pam' }, node: 'n1', features: new Set() }}>{vnode}</AppContext.Provider>;
}

describe('splitErrors', () => {
  it('puts known parameters next to fields and the rest in the message', () => {
    const err = { message: 'Parameter verification failed.', errors: { email: 'invalid format', digest: 'bad' } };
    expect(splitErrors(err, ['email'])).toEqual({ fields: { email: 'invalid format' }, message: 'Parameter verification failed. digest: bad' });
    expect(splitErrors({ message: 'boom' }, ['email'])).toEqual({ fields: {}, message: 'boom' });
  });
});

describe('UserDialog', () => {
  it('shows the API error of each parameter next to its field', async () => {
    const fetchFn = fakeFetch({
      'POST /access/users': () => [400, {
        message: 'Parameter verification failed.\n',
        errors: { userid: "invalid format - value 'bob' does not look like a valid user name", email: 'invalid format - value does not look like a valid email address' },
      }],
    });
    const onDone = vi.fn();
    const el = await mount(withApp(createClient({ fetchFn }), <UserDialog onDone={onDone} onClose={() => {}} />));
    await type(el.querySelector('input[name=userid]'), 'bob');
    await type(el.querySelector('input[name=email]'), 'nope');
    await click(byText(el, 'button', 'Add'));
    await settle();
    const errs = Object.fromEntries([...el.querySelectorAll('.has-error')].map((f) => [f.querySelector('input').name, f.querySelector('.field-error').textContent]));
    expect(errs.userid).toMatch(/does not look like a valid user name/);
    expect(errs.email).toMatch(/valid email address/);
    expect(el.querySelector('input[name=userid]').getAttribute('aria-invalid')).toBe('true');
    expect(onDone).not.toHaveBeenCalled();
    expect(fetchFn.calls[0].body.get('enable')).toBe('1');
  });
  it('checks the repeated password before asking the daemon', async () => {
    const fetchFn = fakeFetch({});
    const el = await mount(withApp(createClient({ fetchFn }), <UserDialog onDone={() => {}} onClose={() => {}} />));
    await type(el.querySelector('input[name=userid]'), 'bob@pve');
    await type(el.querySelector('input[name=password]'), 'secret1');
    await type(el.querySelector('input[name=confirm]'), 'secret2');
    await click(byText(el, 'button', 'Add'));
    await settle();
    expect(el.querySelector('.has-error .field-error').textContent).toBe('does not match the password');
    expect(fetchFn.calls.length).toBe(0);
  });
  it('maps the form to the API parameters', () => {
    const p = userParams({ userid: ' bob@pve ', password: 'pw', enable: false, expire: '', firstname: 'B', lastname: '', email: '', comment: '' }, true);
    expect(p).toMatchObject({ userid: 'bob@pve', password: 'pw', enable: false, expire: 0 });
    expect(userParams({ userid: 'x', enable: true, expire: '' }, false).userid).toBeUndefined();
  });
});

describe('ConfirmDialog', () => {
  it('names the object and enables the button only when the name is typed', async () => {
    const onConfirm = vi.fn(async () => {});
    const onClose = vi.fn();
    const el = await mount(<ConfirmDialog title="Reboot node" action="Reboot the node" name="pve1" typeName confirmLabel="Reboot" onConfirm={onConfirm} onClose={onClose} />);
    expect(el.querySelector('.object-name').textContent).toBe('pve1');
    const button = byText(el, 'button', 'Reboot');
    expect(button.disabled).toBe(true);
    await type(el.querySelector('#confirm-name'), 'pve');
    expect(button.disabled).toBe(true);
    await type(el.querySelector('#confirm-name'), 'pve1');
    expect(button.disabled).toBe(false);
    await click(button);
    await settle();
    expect(onConfirm).toHaveBeenCalledTimes(1);
    expect(onClose).toHaveBeenCalled();
  });
  it('keeps the dialog open and shows the error when the action fails', async () => {
    const onClose = vi.fn();
    const el = await mount(<ConfirmDialog title="Delete user" action="Delete the user" name="bob@pve"
      onConfirm={async () => { throw new Error('user is in use'); }} onClose={onClose} />);
    await click(byText(el, 'button', 'Delete'));
    await settle();
    expect(el.querySelector('[role=alert]').textContent).toBe('user is in use');
    expect(onClose).not.toHaveBeenCalled();
  });
});

describe('navigation', () => {
  it('offers only pages whose endpoints the node lists', () => {
    const pages = navItems(new Set(['status'])).map((n) => n.page || n.section);
    expect(pages).toEqual(['summary', 'Access', 'users', 'acl']);
    expect(navItems(new Set(['status', 'tasks', 'dns', 'network'])).map((n) => n.page || n.section))
      .toEqual(['summary', 'tasks', 'system', 'network', 'Access', 'users', 'acl']);
  });
});

describe('ACL form', () => {
  it('sends a token subject as tokens and a user as users', () => {
    expect(aclParams({ path: '/', roles: 'PVEAuditor', type: 'token', ugid: 'a@pve!ci', propagate: true }))
      .toEqual({ path: '/', roles: 'PVEAuditor', tokens: 'a@pve!ci', propagate: true });
    expect(aclParams({ path: '/nodes ', roles: 'X', type: 'user', ugid: 'a@pve', propagate: false }).users).toBe('a@pve');
  });
});

describe('Login', () => {
  it('lists the realms from /access/domains and shows a failed login clearly', async () => {
    const fetchFn = fakeFetch({
      'GET /access/domains': () => [200, { data: [{ realm: 'pam', type: 'pam', comment: 'Linux PAM' }, { realm: 'pve', type: 'pve', comment: 'Proxmox VE', default: 1 }] }],
      'POST /access/ticket': () => [401, null],
    });
    const session = new Session({ fetchFn, cookies: { read: () => '', write: () => {} } });
    const el = await mount(<Login session={session} />);
    await settle();
    const realm = el.querySelector('select[name=realm]');
    expect([...realm.options].map((o) => o.value)).toEqual(['pam', 'pve']);
    expect(realm.value).toBe('pve');
    await type(el.querySelector('input[name=username]'), 'alice');
    await type(el.querySelector('input[name=password]'), 'bad');
    await click(byText(el, 'button', 'Log in'));
    await settle();
    expect(el.querySelector('[data-testid=login-error]').textContent).toBe('Login failed: the user name, password or realm is wrong.');
    expect(fetchFn.calls[1].body.get('realm')).toBe('pve');
  });
});
