// The task list's filter form → the parameters of GET /nodes/{node}/tasks.

/** PAGE_SIZE is how many tasks one page of the list shows. */
export const PAGE_SIZE = 50;

/** dayStart turns a yyyy-mm-dd date input into epoch seconds at local midnight (end: the day's last second). */
export function dayEpoch(date, end) {
  if (!date) return undefined;
  const [y, m, d] = date.split('-').map(Number);
  const t = new Date(y, m - 1, d, end ? 23 : 0, end ? 59 : 0, end ? 59 : 0);
  return Math.floor(t.getTime() / 1000);
}

/** taskParams maps filter values {source, typefilter, userfilter, status, since, until} and a page start to API parameters. */
export function taskParams(f, start = 0) {
  const p = { source: f.source || 'all', start, limit: PAGE_SIZE };
  if (f.typefilter) p.typefilter = f.typefilter.trim();
  if (f.userfilter) p.userfilter = f.userfilter.trim();
  if (f.status === 'errors') p.errors = true;
  else if (f.status) p.statusfilter = f.status;
  const since = dayEpoch(f.since, false);
  const until = dayEpoch(f.until, true);
  if (since !== undefined) p.since = since;
  if (until !== undefined) p.until = until;
  return p;
}
