// Helpers of the cluster page: the join information a cluster node shows
// and a joining node pastes (as Proxmox's UI does), and the status split.

/** encodeJoinInfo packs what a joining node needs into one copyable string. */
export function encodeJoinInfo({ address, port, fingerprint, cluster }) {
  return btoa(JSON.stringify({ address, port, fingerprint, cluster }));
}

/** decodeJoinInfo reads a pasted join information string; null when it is not one. */
export function decodeJoinInfo(text) {
  try {
    const v = JSON.parse(atob(String(text).trim()));
    if (!v || typeof v.address !== 'string' || typeof v.fingerprint !== 'string') return null;
    return { address: v.address, port: Number(v.port) || 8006, fingerprint: v.fingerprint, cluster: v.cluster || '' };
  } catch {
    return null;
  }
}

/** splitStatus turns /cluster/status into the cluster entry (null when standalone) and the nodes. */
export function splitStatus(list) {
  const rows = list || [];
  const cluster = rows.find((r) => r.type === 'cluster') || null;
  const nodes = rows.filter((r) => r.type === 'node').sort((a, b) => (a.nodeid || 0) - (b.nodeid || 0));
  return { cluster, nodes };
}
