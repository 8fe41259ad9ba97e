// Layout is the frame around every page: the top bar (node, user, theme,
// logout) and the navigation, which lists only what this node's API offers.
import { useState } from 'preact/hooks';
import { href } from '../lib/router.js';
import { applyTheme, currentTheme, nextTheme } from '../lib/theme.js';

/** NAV lists the pages; `needs` names the child of /nodes/{node} that must exist. */
export const NAV = [
  { page: 'summary', label: 'Summary', needs: 'status' },
  { page: 'guests', label: 'Virtual machines', needs: 'qemu' },
  { page: 'tasks', label: 'Task log', needs: 'tasks' },
  { page: 'system', label: 'System', needs: ['time', 'dns', 'hosts', 'services', 'syslog', 'config'] },
  { page: 'network', label: 'Network', needs: 'network' },
  { page: 'updates', label: 'Updates', needs: 'apt' },
  { page: 'disks', label: 'Disks', needs: 'disks' },
  { page: 'boot', label: 'Boot', needs: 'boot' },
  { page: 'metrics', label: 'Metric servers', needs: 'cluster/metrics' },
  { page: 'certificates', label: 'Certificates', needs: 'certificates' },
  { page: 'history', label: 'Change history', needs: 'cluster/history' },
  { page: 'cluster', label: 'Cluster', needs: 'cluster/config' },
  { section: 'Access' },
  { page: 'users', label: 'Users & tokens' },
  { page: 'acl', label: 'Permissions' },
];

/** offered reports whether the node lists the child `needs` names (or any of a list). */
export function offered(needs, features) {
  if (!needs) return true;
  return (Array.isArray(needs) ? needs : [needs]).some((n) => features.has(n));
}

/** navItems keeps the entries whose endpoint the node index lists, and drops a section left empty. */
export function navItems(features) {
  const kept = NAV.filter((n) => n.section || offered(n.needs, features));
  return kept.filter((n, i) => !n.section || (kept[i + 1] && !kept[i + 1].section));
}

export function Layout({ session, node, nodes = [], onNode = () => {}, features, page, children }) {
  const [theme, setTheme] = useState(currentTheme());
  const [menu, setMenu] = useState(false);
  function cycleTheme() {
    const t = nextTheme(theme);
    applyTheme(t);
    setTheme(t);
  }
  return (
    <div class="shell">
      <header class="topbar">
        <button type="button" class="menu-toggle" aria-expanded={menu} aria-controls="nav" onClick={() => setMenu(!menu)}>☰<span class="sr-only"> Menu</span></button>
        <a class="brand" href="#/summary"><span class="logo" aria-hidden="true" />hostadm</a>
        {nodes.length > 1
          ? (
            <select class="node-name" aria-label="Node" value={node} onChange={(e) => onNode(e.currentTarget.value)}>
              {nodes.map((n) => <option key={n.node} value={n.node}>{n.node}{n.status === 'offline' ? ' (offline)' : ''}</option>)}
            </select>
          )
          : <span class="node-name" title="Node">{node}</span>}
        <span class="spacer" />
        <button type="button" class="ghost" onClick={cycleTheme} title="Colour theme: auto follows the system"><span class="theme-label">Theme: </span>{theme}</button>
        <span class="user" data-testid="user">{session.user}</span>
        <button type="button" class="ghost" onClick={() => session.logout()}>Log out</button>
      </header>
      <nav id="nav" class={`nav${menu ? ' open' : ''}`} aria-label="Pages">
        <ul>
          {navItems(features).map((n) => (n.section
            ? <li key={n.section} class="nav-section">{n.section}</li>
            : <li key={n.page}><a href={href(n.page)} aria-current={page === n.page ? 'page' : undefined} onClick={() => setMenu(false)}>{n.label}</a></li>))}
        </ul>
      </nav>
      <main class="content" id="main">{children}</main>
    </div>
  );
}
