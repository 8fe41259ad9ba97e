// The ZFS ARC limits page's arithmetic: sizes typed with units, the checks
// the daemon only makes inside its task (so they come back as field errors
// before anything runs), and when zfs_arc_min must move along.

/** MIN_ARC_MAX is the smallest zfs_arc_max ZFS honours (64 MiB); the API refuses less. */
export const MIN_ARC_MAX = 64 * 1024 * 1024;

const POWERS = { '': 0, K: 1, M: 2, G: 3, T: 4, P: 5 };

/** parseSize reads "8G", "512 MiB", "1.5 TiB" or a plain byte count; null when it is not a size. */
export function parseSize(text) {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b)?\s*$/i.exec(String(text ?? ''));
  if (!m || (m[3] && /^ib$/i.test(m[3]) && !m[2])) return null;
  const n = Number(m[1]) * 1024 ** POWERS[m[2].toUpperCase()];
  return Number.isFinite(n) ? Math.round(n) : null;
}

/** effectiveMin is the zfs_arc_min ZFS works with: the module parameter, or its default of 1/32 of the memory. */
export function effectiveMin(arc) {
  return arc.param_min || Math.floor((arc.memtotal || 0) / 32);
}

/**
 * arcPlan checks typed limits against what the daemon's task would refuse
 * and says what it will do. It returns { errors: {max?, min?}, params, newMin }:
 * params are the PUT parameters (only without errors); newMin is the
 * zfs_arc_min the daemon sets along (max − 1 when max is not above the
 * current minimum and no min was given), or 0.
 */
export function arcPlan(arc, maxText, minText) {
  const errors = {};
  const max = parseSize(maxText);
  const min = String(minText ?? '').trim() === '' ? 0 : parseSize(minText);
  if (max === null) errors.max = 'not a size: give bytes or a number with a unit, like 8G or 512M';
  else if (arc.memtotal && max >= arc.memtotal) errors.max = `zfs_arc_max must be less than the installed memory (${arc.memtotal} bytes)`;
  if (min === null) errors.min = 'not a size: give bytes or a number with a unit, like 1G';
  if (Object.keys(errors).length) return { errors, params: null, newMin: 0 };
  const params = { max };
  if (min) params.min = min;
  let newMin = min;
  if (!min && max <= effectiveMin(arc)) newMin = max - 1;
  return { errors, params, newMin };
}
