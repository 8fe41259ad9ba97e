// Test helpers: a fake fetch that answers like the daemon, and rendering into happy-dom.
import { render } from 'preact';
import { act } from 'preact/test-utils';

/** fakeFetch answers requests from routes {'METHOD /path': (url, init) => [status, body]} and records them. */
export function fakeFetch(routes) {
  const calls = [];
  const fn = async (url, init) => {
    const u = new URL(url, 'https://node.example:8006');
    const key = `${init.method} ${u.pathname.replace('/api2/json', '')}`;
    calls.push({ key, url: u, init, body: new URLSearchParams(init.body || '') });
    const route = routes[key];
    if (!route) return response(501, null);
    const [status, body] = await route(u, init);
    return response(status, body);
  };
  fn.calls = calls;
  return fn;
}

function response(status, body) {
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText: '',
    headers: { get: (h) => (h.toLowerCase() === 'content-type' && body !== null ? 'application/json;charset=UTF-8' : '') },
    json: async () => body,
  };
}

/** mount renders a vnode into a fresh container and returns it. */
export async function mount(vnode) {
  const el = document.createElement('div');
  document.body.appendChild(el);
  await act(async () => { render(vnode, el); });
  return el;
}

/** settle lets pending promises and renders finish. */
export async function settle(times = 3) {
  for (let i = 0; i < times; i++) {
    await act(async () => { await new Promise((r) => setTimeout(r, 0)); });
  }
}

/** type sets an input's value the way typing does. */
export async function type(el, value) {
  await act(async () => {
    el.value = value;
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

/** click clicks an element. */
export async function click(el) {
  await act(async () => { el.click(); });
}

/** byText finds the first element matching css whose trimmed text is text. */
export function byText(root, css, text) {
  return [...root.querySelectorAll(css)].find((e) => e.textContent.trim() === text);
}
