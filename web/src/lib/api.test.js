import { describe, expect, it, vi } from 'vitest';
import { ApiError, createClient, encodeParams, errorFor } from './api.js';
import { fakeFetch } from '../test/helpers.js';

describe('encodeParams', () => {
  it('sends booleans as 1/0, repeats arrays and leaves out null', () => {
    const p = encodeParams({ enable: true, privsep: false, roles: ['a', 'b'], comment: '', gone: null, never: undefined, n: 5 });
    expect(p.toString()).toBe('enable=1&privsep=0&roles=a&roles=b&comment=&n=5');
  });
});

describe('errorFor', () => {
  it('explains 401 even with the empty body of the json format', () => {
    const e = errorFor(401, '', null);
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/log in again/);
  });
  it('says a 403 is about permissions and keeps the daemon message', () => {
    const e = errorFor(403, '', { message: 'Permission check failed (/nodes/n1, Sys.Audit)\n' });
    expect(e.message).toBe('You lack the permission for this: Permission check failed (/nodes/n1, Sys.Audit) (403).');
  });
  it('keeps the per-field errors of a 400', () => {
    const e = errorFor(400, '', { message: 'Parameter verification failed.\n', errors: { email: 'invalid format' } });
    expect(e.errors).toEqual({ email: 'invalid format' });
    expect(e.message).toBe('Parameter verification failed.');
  });
  it('uses the message of a 500', () => {
    expect(errorFor(500, '', { message: 'detected modified configuration - file changed by other user? Try again.\n' }).message)
      .toBe('detected modified configuration - file changed by other user? Try again.');
  });
});

describe('createClient', () => {
  it('puts GET parameters in the query and sends no CSRF token', async () => {
    const fetchFn = fakeFetch({ 'GET /nodes/n1/tasks': () => [200, { data: [], total: 0 }] });
    const api = createClient({ fetchFn, getCsrf: () => 'TOKEN' });
    const r = await api.call('GET', '/nodes/n1/tasks', { errors: true, limit: 50 });
    expect(r.total).toBe(0);
    const c = fetchFn.calls[0];
    expect(c.url.search).toBe('?errors=1&limit=50');
    expect(c.init.headers.CSRFPreventionToken).toBeUndefined();
  });
  it('sends writes as a form with the CSRF header', async () => {
    const fetchFn = fakeFetch({ 'PUT /access/acl': () => [200, { data: null }] });
    const api = createClient({ fetchFn, getCsrf: () => 'TOKEN' });
    await api.put('/access/acl', { path: '/', roles: 'PVEAuditor', users: 'a@pve', propagate: true });
    const c = fetchFn.calls[0];
    expect(c.init.headers.CSRFPreventionToken).toBe('TOKEN');
    expect(c.init.headers['Content-Type']).toBe('application/x-www-form-urlencoded');
    expect(c.body.get('propagate')).toBe('1');
  });
  it('tells the session about a 401, except for the login call', async () => {
    const onUnauthorized = vi.fn();
    const fetchFn = fakeFetch({ 'GET /nodes': () => [401, null], 'POST /access/ticket': () => [401, null] });
    const api = createClient({ fetchFn, onUnauthorized });
    await expect(api.get('/nodes')).rejects.toBeInstanceOf(ApiError);
    await expect(api.post('/access/ticket', {})).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });
  it('turns a network failure into a readable error', async () => {
    const api = createClient({ fetchFn: async () => { throw new TypeError('Failed to fetch'); } });
    await expect(api.get('/version')).rejects.toMatchObject({ status: 0, message: expect.stringMatching(/Cannot reach/) });
  });
});
