import { describe, expect, it } from 'vitest';
import { cookieFor, loginMessage, parseTicket, readCookie, renewalState, RENEW_AFTER, TICKET_LIFETIME } from './session.js';
import { Session } from './auth.js';
import { ApiError } from './api.js';
import { fakeFetch } from '../test/helpers.js';

const TICKET = 'PVE:alice@pve:6734A2F0::c2lnbmF0dXJl/+=';

describe('tickets and cookies', () => {
  it('reads the user and time of a ticket', () => {
    expect(parseTicket(TICKET)).toEqual({ user: 'alice@pve', time: 0x6734a2f0 });
    expect(parseTicket('garbage')).toBeNull();
    expect(parseTicket('')).toBeNull();
  });
  it('renews after 15 minutes and stops before the 2 hours are up', () => {
    expect(renewalState(1000, 1000 + 60)).toBe('fresh');
    expect(renewalState(1000, 1000 + RENEW_AFTER)).toBe('renew');
    expect(renewalState(1000, 1000 + TICKET_LIFETIME - 30)).toBe('expired');
  });
  it('stores the ticket uri-escaped in PVEAuthCookie, as Proxmox does', () => {
    const c = cookieFor(TICKET);
    expect(c).toMatch(/^PVEAuthCookie=PVE%3Aalice%40pve%3A6734A2F0%3A%3Ac2lnbmF0dXJl%2F%2B%3D; path=\/; secure; SameSite=Lax$/);
    expect(readCookie(`other=1; ${c.split(';')[0]}`)).toBe(TICKET);
    expect(cookieFor('')).toMatch(/expires=Thu, 01 Jan 1970/);
  });
  it('words login failures without hinting which part was wrong', () => {
    expect(loginMessage(new ApiError(401, 'x'))).toBe('Login failed: the user name, password or realm is wrong.');
    expect(loginMessage(new ApiError(400, 'x', { realm: 'invalid format' }))).toBe('Login failed: realm: invalid format');
  });
});

function memoryCookies(initial = '') {
  let v = initial;
  return { read: () => v, write: (t) => { v = t; }, get value() { return v; } };
}

describe('Session', () => {
  it('logs in with the realm, keeps the CSRF token and sends it on writes', async () => {
    const fetchFn = fakeFetch({
      'POST /access/ticket': () => [200, { data: { username: 'alice@pve', ticket: TICKET, CSRFPreventionToken: 'CSRF1' } }],
      'DELETE /nodes/n1/tasks/U': () => [200, { data: null }],
    });
    const cookies = memoryCookies();
    const s = new Session({ fetchFn, cookies, now: () => 5000 });
    await s.login('alice', 'pw', 'pve');
    expect(fetchFn.calls[0].body.toString()).toBe('username=alice&password=pw&realm=pve');
    expect(s.user).toBe('alice@pve');
    expect(cookies.value).toBe(TICKET);
    await s.api.del('/nodes/n1/tasks/U');
    expect(fetchFn.calls[1].init.headers.CSRFPreventionToken).toBe('CSRF1');
  });
  it('does not add the realm to a user name that has one', async () => {
    const fetchFn = fakeFetch({ 'POST /access/ticket': () => [200, { data: { username: 'root@pam', ticket: TICKET } }] });
    const s = new Session({ fetchFn, cookies: memoryCookies() });
    await s.login('root@pam', 'pw', 'pve');
    expect(fetchFn.calls[0].body.has('realm')).toBe(false);
  });
  it('throws a message for the form when the login fails', async () => {
    const s = new Session({ fetchFn: fakeFetch({ 'POST /access/ticket': () => [401, null] }), cookies: memoryCookies() });
    await expect(s.login('alice', 'bad', 'pve')).rejects.toThrow('Login failed: the user name, password or realm is wrong.');
    expect(s.loggedIn).toBe(false);
  });
  it('resumes from the cookie by renewing the ticket', async () => {
    const fetchFn = fakeFetch({ 'POST /access/ticket': () => [200, { data: { username: 'alice@pve', ticket: TICKET, CSRFPreventionToken: 'C2' } }] });
    const s = new Session({ fetchFn, cookies: memoryCookies(TICKET) });
    expect(await s.resume()).toBe(true);
    expect(fetchFn.calls[0].body.get('password')).toBe(TICKET);
    expect(fetchFn.calls[0].body.get('username')).toBe('alice@pve');
    expect(s.csrf).toBe('C2');
  });
  it('renews when due and ends the session when the ticket is refused', async () => {
    let now = 1000;
    let answer = [200, { data: { username: 'alice@pve', ticket: TICKET, CSRFPreventionToken: 'C' } }];
    const fetchFn = fakeFetch({ 'POST /access/ticket': () => answer });
    const cookies = memoryCookies();
    const s = new Session({ fetchFn, cookies, now: () => now });
    await s.login('alice', 'pw', 'pve');
    now += 60;
    await s.tick();
    expect(fetchFn.calls.length).toBe(1);
    now += RENEW_AFTER;
    await s.tick();
    expect(fetchFn.calls.length).toBe(2);
    now += RENEW_AFTER;
    answer = [401, null];
    await s.tick();
    expect(s.loggedIn).toBe(false);
    expect(s.notice).toMatch(/could not be renewed/);
    expect(cookies.value).toBe('');
  });
  it('ends the session on a 401 from any call, with a notice', async () => {
    const fetchFn = fakeFetch({
      'POST /access/ticket': () => [200, { data: { username: 'alice@pve', ticket: TICKET } }],
      'GET /nodes': () => [401, null],
    });
    const s = new Session({ fetchFn, cookies: memoryCookies() });
    await s.login('alice', 'pw', 'pve');
    await expect(s.api.get('/nodes')).rejects.toMatchObject({ status: 401 });
    expect(s.loggedIn).toBe(false);
    expect(s.notice).toMatch(/log in again/);
  });
});
