import { describe, expect, it } from 'vitest';
import { diffLines, historyParams } from './diff.js';

describe('diff', () => {
  it('classifies the lines of a unified diff', () => {
    const d = '--- a/etc/hosts\n+++ b/etc/hosts\n@@ -1 +1,2 @@\n 127.0.0.1 localhost\n+192.0.2.7 pve1\n-old\n';
    expect(diffLines(d).map((l) => l.kind)).toEqual(['file', 'file', 'hunk', 'ctx', 'add', 'del']);
    expect(diffLines('')).toEqual([]);
  });
  it('builds the list parameters from the filters', () => {
    expect(historyParams({ path: '/etc/hosts', user: '', since: '' }, 0, 50)).toEqual({ start: 0, limit: 50, path: '/etc/hosts' });
    expect(historyParams({ path: '', user: 'alice@pve', since: '' }, 50, 50)).toEqual({ start: 50, limit: 50, user: 'alice@pve' });
  });
});
