// The login session: the ticket lives in the PVEAuthCookie cookie (as
// Proxmox's UI keeps it), the CSRF token only in memory. A reload renews the
// ticket from the cookie, which also yields a fresh CSRF token.

export const COOKIE = 'PVEAuthCookie';
/** TICKET_LIFETIME is how long the daemon accepts a ticket (2 h). */
export const TICKET_LIFETIME = 2 * 3600;
/** RENEW_AFTER is the ticket age at which the UI renews it (as Proxmox's UI does every 15 minutes). */
export const RENEW_AFTER = 15 * 60;
/** EXPIRY_MARGIN keeps the UI from using a ticket in its last minute. */
export const EXPIRY_MARGIN = 60;

/** parseTicket reads the user and the issue time (epoch seconds) from a PVE ticket, or null. */
export function parseTicket(ticket) {
  if (!ticket) return null;
  const parts = ticket.split(':');
  if (parts.length < 5 || parts[0] !== 'PVE' || !/^[0-9A-F]{8}$/.test(parts[2])) return null;
  return { user: parts[1], time: parseInt(parts[2], 16) };
}

/** renewalState says what to do with a ticket issued at `issued`, now (both epoch seconds): 'fresh', 'renew' or 'expired'. */
export function renewalState(issued, now) {
  const age = now - issued;
  if (age >= TICKET_LIFETIME - EXPIRY_MARGIN) return 'expired';
  if (age >= RENEW_AFTER) return 'renew';
  return 'fresh';
}

/** readCookie returns the ticket from a document.cookie string, or ''. */
export function readCookie(cookieString) {
  for (const part of (cookieString || '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return decodeURIComponent(v.join('='));
  }
  return '';
}

/** cookieFor is the Set-Cookie-style string that stores (or, with '', clears) the ticket. */
export function cookieFor(ticket) {
  if (!ticket) return `${COOKIE}=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; secure; SameSite=Lax`;
  return `${COOKIE}=${encodeURIComponent(ticket)}; path=/; secure; SameSite=Lax`;
}

/** loginMessage turns a failed login into words for the login form. */
export function loginMessage(err) {
  if (err.status === 401) return 'Login failed: the user name, password or realm is wrong.';
  if (err.status === 400 && err.errors) {
    return 'Login failed: ' + Object.entries(err.errors).map(([k, v]) => `${k}: ${v}`).join('; ');
  }
  return `Login failed: ${err.message}`;
}
