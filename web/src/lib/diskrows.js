// Ordering of the disk list: disks by path, each partition after its disk.

/** diskRows orders disks by path and puts each partition right after its disk. */
export function diskRows(list) {
  const byPath = (a, b) => a.devpath.localeCompare(b.devpath, undefined, { numeric: true });
  const disks = list.filter((d) => !d.parent).sort(byPath);
  const out = [];
  for (const d of disks) {
    out.push(d);
    out.push(...list.filter((p) => p.parent === d.devpath).sort(byPath));
  }
  const seen = new Set(out);
  return out.concat(list.filter((p) => !seen.has(p)));
}
