// System log: the newest lines of the journal (GET /syslog), filtered by
// time and service, with a follow mode that polls for new lines.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useApp } from '../../components/context.js';
import { useForm } from '../../components/form.js';
import { Field, FormMessage } from '../../components/Field.jsx';

/** WINDOW is how many of the newest lines the viewer shows. */
export const WINDOW = 500;

/** logDate turns a datetime-local value (2026-01-02T03:04) into the API's "2026-01-02 03:04". */
export function logDate(v) {
  return v ? v.replace('T', ' ') : undefined;
}

export function SyslogSection() {
  const { api, node } = useApp();
  const path = `/nodes/${encodeURIComponent(node)}/syslog`;
  const form = useForm({ since: '', until: '', service: '' });
  const [query, setQuery] = useState({});
  const [follow, setFollow] = useState(false);
  const [lines, setLines] = useState(null);
  const [total, setTotal] = useState(0);
  const box = useRef(null);

  async function load(q) {
    const params = { since: logDate(q.since), until: logDate(q.until), service: q.service || undefined };
    // The API counts from the oldest line: ask once for the total, then for the newest window.
    let r = await api.call('GET', path, { ...params, start: 0, limit: WINDOW });
    if ((r.total || 0) > WINDOW) r = await api.call('GET', path, { ...params, start: r.total - WINDOW, limit: WINDOW });
    return r;
  }

  useEffect(() => {
    let alive = true;
    let timer = null;
    async function tick() {
      try {
        const r = await load(query);
        if (!alive) return;
        form.clear();
        setLines(r.data || []);
        setTotal(r.total || 0);
      } catch (err) {
        if (alive) form.fail(err);
      }
      if (alive && follow) timer = setTimeout(tick, 3000);
    }
    tick();
    return () => { alive = false; clearTimeout(timer); };
  }, [query, follow]);

  useEffect(() => { if (box.current) box.current.scrollTop = box.current.scrollHeight; }, [lines]);

  function apply(e) {
    e.preventDefault();
    setQuery({ ...form.values });
  }
  return (
    <>
      <form class="filters" onSubmit={apply} aria-label="Log filters">
        <Field form={form} name="since" label="Since" type="datetime-local" />
        <Field form={form} name="until" label="Until" type="datetime-local" />
        <Field form={form} name="service" label="Service" placeholder="e.g. chrony" />
        <div class="filter-go"><button type="submit" class="primary">Show</button></div>
        <div class="filter-go"><label class="inline"><input type="checkbox" checked={follow} onChange={(e) => setFollow(e.currentTarget.checked)} /> Follow</label></div>
      </form>
      <FormMessage form={form} />
      <p class="muted small">{total > WINDOW ? `The newest ${WINDOW} of ${total} lines.` : `${total} lines.`}</p>
      <pre class="task-log" ref={box} tabIndex={0} aria-label="System log">
        {(lines || []).map((l) => <div key={l.n} class="log-line"><span class="ln" aria-hidden="true">{l.n}</span>{l.t}</div>)}
      </pre>
    </>
  );
}
