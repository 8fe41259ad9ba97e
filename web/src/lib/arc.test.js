import { describe, expect, it } from 'vitest';
import { arcPlan, effectiveMin, parseSize } from './arc.js';

const GiB = 1024 ** 3;

describe('parseSize', () => {
  it('reads bytes and binary units', () => {
    expect(parseSize('8G')).toBe(8 * GiB);
    expect(parseSize(' 512 MiB ')).toBe(512 * 1024 ** 2);
    expect(parseSize('1.5t')).toBe(1.5 * 1024 * GiB);
    expect(parseSize('67108864')).toBe(67108864);
    expect(parseSize('100b')).toBe(100);
  });
  it('refuses what is not a size', () => {
    for (const s of ['', 'G', 'eight', '-1G', '8 X', '8ib']) expect(parseSize(s)).toBeNull();
  });
});

describe('arcPlan', () => {
  const arc = { memtotal: 64 * GiB, param_min: 0 };
  it('sends max alone when it is above the minimum', () => {
    expect(arcPlan(arc, '8G', '')).toEqual({ errors: {}, params: { max: 8 * GiB }, newMin: 0 });
  });
  it('says min becomes max - 1 when max is not above the default minimum (1/32 of memory)', () => {
    expect(effectiveMin(arc)).toBe(2 * GiB);
    expect(arcPlan(arc, '1G', '').newMin).toBe(GiB - 1);
    expect(arcPlan(arc, '1G', '512M')).toEqual({ errors: {}, params: { max: GiB, min: 512 * 1024 ** 2 }, newMin: 512 * 1024 ** 2 });
  });
  it('puts what the task would refuse next to the fields', () => {
    expect(arcPlan(arc, '64G', '').errors.max).toMatch(/less than the installed memory/);
    expect(arcPlan(arc, 'lots', 'x').errors).toEqual({ max: expect.stringMatching(/not a size/), min: expect.stringMatching(/not a size/) });
  });
  it('leaves the 64 MiB floor and min < max to the API (its per-field errors)', () => {
    expect(arcPlan(arc, '32M', '').errors).toEqual({});
    expect(arcPlan(arc, '1G', '2G').errors).toEqual({});
  });
});
