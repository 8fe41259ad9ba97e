import { describe, expect, it } from 'vitest';
import { parseDomain, formatDomain, nodeDomains, freeDomainKey, encodeData, decodeData, daysLeft, expiryTone } from './acmeform.js';

describe('ACME domains', () => {
  it('reads and writes acmedomainN property strings', () => {
    expect(parseDomain('web.example.com')).toEqual({ domain: 'web.example.com', plugin: 'standalone' });
    const d = parseDomain('domain=*.example.com,plugin=cf,alias=acme.example.net');
    expect(d).toEqual({ domain: '*.example.com', plugin: 'cf', alias: 'acme.example.net' });
    expect(formatDomain(d)).toBe('domain=*.example.com,plugin=cf,alias=acme.example.net');
    expect(formatDomain({ domain: 'a.example.com', plugin: 'standalone' })).toBe('domain=a.example.com');
  });
  it('lists domains from both acme and acmedomainN and finds a free key', () => {
    const config = { acme: 'account=default,domains=a.example.com;b.example.com', acmedomain0: 'c.example.com', acmedomain2: 'domain=d.example.com,plugin=ns' };
    expect(nodeDomains(config).map((d) => `${d.key}:${d.domain}:${d.plugin}`)).toEqual([
      'acme:a.example.com:standalone', 'acme:b.example.com:standalone', 'acmedomain0:c.example.com:standalone', 'acmedomain2:d.example.com:ns']);
    expect(freeDomainKey(config)).toBe('acmedomain1');
    const full = Object.fromEntries([0, 1, 2, 3, 4, 5].map((i) => [`acmedomain${i}`, 'x.example.com']));
    expect(freeDomainKey(full)).toBe(null);
  });
});

describe('plugin data', () => {
  it('encodes KEY=VALUE lines as base64 and decodes the API text', () => {
    const b64 = encodeData({ CF_Token: 'tök', CF_Email: '' });
    expect(new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)))).toBe('CF_Token=tök\n');
    expect(decodeData('A=1\nB=x=y\n\n')).toEqual({ A: '1', B: 'x=y' });
  });
});

describe('expiry', () => {
  it('counts days and colours them', () => {
    expect(daysLeft(86400 * 10 + 5, 0)).toBe(10);
    expect(expiryTone(-1)).toBe('error');
    expect(expiryTone(29)).toBe('warning');
    expect(expiryTone(30)).toBe('ok');
  });
});
