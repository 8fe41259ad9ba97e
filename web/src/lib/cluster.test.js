import { describe, expect, it } from 'vitest';
import { decodeJoinInfo, encodeJoinInfo, splitStatus } from './cluster.js';

describe('join information', () => {
  it('round-trips', () => {
    const info = { address: '10.0.0.1', port: 8006, fingerprint: 'AB:CD', cluster: 'c1' };
    expect(decodeJoinInfo(encodeJoinInfo(info))).toEqual(info);
  });
  it('refuses what is not join information', () => {
    expect(decodeJoinInfo('hello')).toBeNull();
    expect(decodeJoinInfo(btoa('{"x":1}'))).toBeNull();
  });
});

describe('splitStatus', () => {
  it('separates the cluster entry and sorts nodes by id', () => {
    const s = splitStatus([{ type: 'node', name: 'b', nodeid: 2 }, { type: 'cluster', name: 'c', quorate: 1 }, { type: 'node', name: 'a', nodeid: 1 }]);
    expect(s.cluster.name).toBe('c');
    expect(s.nodes.map((n) => n.name)).toEqual(['a', 'b']);
  });
  it('has no cluster entry on a single node', () => {
    expect(splitStatus([{ type: 'node', name: 'a' }]).cluster).toBeNull();
  });
});
