import { describe, expect, it } from 'vitest';
import { parseStartup, startupText, startupValue, vmOptionParams } from './guests.js';

describe('guests helpers', () => {
  it('renders and parses startup', () => {
    expect(startupText({ order: 1, up: 30 })).toBe('order=1,up=30');
    expect(startupText({})).toMatch(/default/);
    expect(startupValue('2', '', '60')).toBe('order=2,down=60');
    expect(parseStartup('3,up=5')).toEqual({ order: '3', up: '5', down: '' });
  });
  it('deletes cleared options', () => {
    const p = vmOptionParams({ onboot: true, order: '', up: '', down: '', memory: '64', balloon: '', shares: '2000', name: 'web' }, 'abc');
    expect(p).toEqual({ onboot: 1, digest: 'abc', memory: '64', shares: '2000', name: 'web', delete: 'startup,balloon' });
  });
});
