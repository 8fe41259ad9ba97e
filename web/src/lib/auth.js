// Session ties the API client to the login state: login, resume after a
// reload, renewal before expiry, logout, and what a 401 means.

import { createClient } from './api.js';
import { cookieFor, loginMessage, parseTicket, readCookie, renewalState } from './session.js';

const browserCookies = {
  read: () => readCookie(document.cookie),
  write: (ticket) => { document.cookie = cookieFor(ticket); },
};

/** Session is the one login state of the page. Listeners hear every change. */
export class Session {
  constructor({ fetchFn, cookies = browserCookies, now = () => Date.now() / 1000 } = {}) {
    this.cookies = cookies;
    this.now = now;
    this.user = '';
    this.csrf = '';
    this.issued = 0;
    this.cap = null;
    this.notice = '';
    this.listeners = new Set();
    this.api = createClient({
      fetchFn,
      getCsrf: () => this.csrf,
      onUnauthorized: () => this.expire('Your session has ended or was not accepted (401). Please log in again.'),
    });
  }

  get loggedIn() { return this.user !== ''; }

  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  changed() { for (const fn of this.listeners) fn(this); }

  /** login posts the credentials; on failure it throws an Error with a message for the login form. */
  async login(username, password, realm) {
    const params = { username, password };
    if (realm && !username.includes('@')) params.realm = realm;
    try {
      this.accept(await this.api.post('/access/ticket', params));
    } catch (err) {
      throw new Error(loginMessage(err));
    }
  }

  /** resume renews the ticket kept in the cookie (after a reload); false when there is none or it is no longer valid. */
  async resume() {
    const ticket = this.cookies.read();
    const parsed = parseTicket(ticket);
    if (!parsed) return false; // the daemon judges the age: the browser's clock may differ
    try {
      this.accept(await this.api.post('/access/ticket', { username: parsed.user, password: ticket }));
      return true;
    } catch {
      this.cookies.write('');
      return false;
    }
  }

  /** renew trades the current ticket for a new one before it expires. */
  async renew() {
    const ticket = this.cookies.read();
    if (!ticket || !this.user) return;
    try {
      this.accept(await this.api.post('/access/ticket', { username: this.user, password: ticket }));
    } catch (err) {
      if (err.status === 401) this.expire('Your session could not be renewed. Please log in again.');
    }
  }

  /** tick is called periodically: it renews a ticket that is due and ends an expired session. */
  async tick() {
    if (!this.loggedIn) return;
    const state = renewalState(this.issued, this.now());
    if (state === 'expired') this.expire('Your session has expired. Please log in again.');
    else if (state === 'renew') await this.renew();
  }

  accept(data) {
    this.cookies.write(data.ticket);
    this.user = data.username;
    this.csrf = data.CSRFPreventionToken || '';
    // The age is counted on the browser's clock from now, not from the
    // ticket's own time stamp, so a skewed clock cannot cut a session short.
    this.issued = this.now();
    this.cap = data.cap || null;
    this.notice = '';
    this.changed();
  }

  logout() {
    this.clear('');
  }

  expire(notice) {
    if (!this.loggedIn) return;
    this.clear(notice);
  }

  clear(notice) {
    this.cookies.write('');
    this.user = '';
    this.csrf = '';
    this.issued = 0;
    this.cap = null;
    this.notice = notice;
    this.changed();
  }
}
