import { describe, expect, it } from 'vitest';
import { smartdParams } from './Smartd.jsx';

describe('smartdParams', () => {
  it('sends filled fields and deletes emptied ones', () => {
    expect(smartdParams({ device: ' DEVICESCAN ', schedule: 'S/../.././02', mail: '' }, 'abc'))
      .toEqual({ device: 'DEVICESCAN', digest: 'abc', schedule: 'S/../.././02', delete: 'mail' });
    expect(smartdParams({ device: '/dev/sdb', schedule: '', mail: 'root' }, undefined))
      .toEqual({ device: '/dev/sdb', digest: undefined, mail: 'root', delete: 'schedule' });
  });
});
