// A hash router: #/tasks/UPID → { page: 'tasks', arg: 'UPID' }. Hash routes
// keep every page a plain GET of `/`, which is all the daemon serves.
import { useEffect, useState } from 'preact/hooks';

/** parseRoute splits a location hash into the page name and its argument. */
export function parseRoute(hash) {
  const path = (hash || '').replace(/^#\/?/, '');
  const slash = path.indexOf('/');
  if (slash < 0) return { page: path || 'summary', arg: '' };
  return { page: path.slice(0, slash), arg: decodeURIComponent(path.slice(slash + 1)) };
}

/** href builds the hash for a page and an optional argument. */
export function href(page, arg) {
  return arg ? `#/${page}/${encodeURIComponent(arg)}` : `#/${page}`;
}

/** useRoute follows the location hash. */
export function useRoute() {
  const [route, setRoute] = useState(parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}
