// diffLines splits a unified diff into lines with a kind for display:
// 'file' (--- / +++ headers), 'hunk' (@@), 'add', 'del' or 'ctx'.
export function diffLines(text) {
  if (!text) return [];
  const lines = text.replace(/\n$/, '').split('\n');
  return lines.map((line) => {
    if (line.startsWith('--- ') || line.startsWith('+++ ')) return { kind: 'file', line };
    if (line.startsWith('@@')) return { kind: 'hunk', line };
    if (line.startsWith('+')) return { kind: 'add', line };
    if (line.startsWith('-')) return { kind: 'del', line };
    return { kind: 'ctx', line };
  });
}

/** ACTIONS names what a change did, for people. */
export const ACTIONS = { write: 'changed', delete: 'deleted', outside: 'changed outside hostadm', revert: 'reverted' };

/** historyParams turns the filter form into the API's parameters. */
export function historyParams(f, start, limit) {
  const p = { start, limit };
  if (f.path) p.path = f.path;
  if (f.user) p.user = f.user;
  if (f.since) p.since = Math.floor(new Date(`${f.since}T00:00:00`).getTime() / 1000);
  return p;
}
