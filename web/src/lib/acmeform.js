// Helpers of the certificates page: the node config's ACME domains
// (acmedomain0..5 property strings), plugin data (KEY=VALUE lines sent
// base64-encoded), and how soon a certificate expires.

/** MAX_DOMAINS is the number of acmedomainN keys (0..5). */
export const MAX_DOMAINS = 6;

/** parseDomain reads "domain=x,plugin=y,alias=z" (or a bare domain first) into an object. */
export function parseDomain(text) {
  const out = { plugin: 'standalone' };
  for (const part of String(text || '').split(',')) {
    if (!part) continue;
    const i = part.indexOf('=');
    if (i < 0) out.domain = part;
    else out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}

/** formatDomain writes a domain back as the property string the API takes. */
export function formatDomain({ domain, plugin, alias }) {
  let s = `domain=${domain}`;
  if (plugin && plugin !== 'standalone') s += `,plugin=${plugin}`;
  if (alias) s += `,alias=${alias}`;
  return s;
}

/** nodeDomains lists the configured domains with the config key each lives in. */
export function nodeDomains(config) {
  const out = [];
  const acme = parseDomain(config && config.acme);
  for (const d of String(acme.domains || '').split(';').filter(Boolean)) {
    out.push({ key: 'acme', domain: d, plugin: 'standalone' });
  }
  for (let i = 0; i < MAX_DOMAINS; i++) {
    const v = config && config[`acmedomain${i}`];
    if (v) out.push({ key: `acmedomain${i}`, ...parseDomain(v) });
  }
  return out;
}

/** freeDomainKey is the first unused acmedomainN, or null when all six are taken. */
export function freeDomainKey(config) {
  for (let i = 0; i < MAX_DOMAINS; i++) {
    if (!config || !config[`acmedomain${i}`]) return `acmedomain${i}`;
  }
  return null;
}

/** encodeData turns {KEY: value} (empty values dropped) into the base64 the plugin API takes. */
export function encodeData(fields) {
  const text = Object.entries(fields)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${v}\n`).join('');
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** decodeData splits the plugin API's plain KEY=VALUE text into an object. */
export function decodeData(text) {
  const out = {};
  for (const line of String(text || '').split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1);
  }
  return out;
}

/** daysLeft is the whole days until notafter (negative once expired). */
export function daysLeft(notafter, now = Date.now() / 1000) {
  return Math.floor((notafter - now) / 86400);
}

/** expiryTone colours an expiry: error when expired, warning within 30 days (when renewal starts), else ok. */
export function expiryTone(days) {
  if (days < 0) return 'error';
  if (days < 30) return 'warning';
  return 'ok';
}
