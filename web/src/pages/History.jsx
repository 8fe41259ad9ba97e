// The change history: who changed which file of this node or of the
// cluster store, with the diff of each change and a one-step revert.
import { useEffect, useState } from 'preact/hooks';
import { useApp } from '../components/context.js';
import { useForm } from '../components/form.js';
import { Field, FormMessage } from '../components/Field.jsx';
import { href } from '../lib/router.js';
import { dateTime } from '../lib/format.js';
import { ACTIONS, diffLines, historyParams } from '../lib/diff.js';

const PAGE = 50;

export function History({ arg }) {
  return arg ? <Change id={arg} /> : <ChangeList />;
}

function ChangeList() {
  const { api } = useApp();
  const form = useForm({ path: '', user: '', since: '' }, ['path', 'user', 'since']);
  const [applied, setApplied] = useState(form.values);
  const [start, setStart] = useState(0);
  const [list, setList] = useState({ data: null, total: 0 });
  useEffect(() => {
    let alive = true;
    api.call('GET', '/cluster/history', historyParams(applied, start, PAGE)).then((r) => {
      if (!alive) return;
      form.clear();
      setList({ data: r.data, total: r.total || 0 });
    }, (err) => { if (alive) form.fail(err); });
    return () => { alive = false; };
  }, [applied, start]);
  const rows = list.data || [];
  return (
    <section>
      <div class="page-head"><h1>Change history</h1></div>
      <form class="filters" aria-label="Change filters" onSubmit={(e) => { e.preventDefault(); setStart(0); setApplied({ ...form.values }); }}>
        <Field form={form} name="path" label="File" placeholder="/etc/hosts or nodes/*" />
        <Field form={form} name="user" label="User" placeholder="e.g. root@pam" />
        <Field form={form} name="since" label="From" type="date" />
        <div class="filter-go"><button type="submit" class="primary">Filter</button></div>
      </form>
      <FormMessage form={form} />
      <div class="table-wrap">
        <table class="table history">
          <thead><tr><th>Time</th><th>File</th><th>Change</th><th>User</th><th>Through</th><th>Node</th></tr></thead>
          <tbody>
            {rows.map((c) => (
              <tr key={c.id}>
                <td class="nowrap">{dateTime(c.time)}</td>
                <td><a href={href('history', String(c.id))}>{c.path}</a></td>
                <td>{ACTIONS[c.action] || c.action}{c.secret ? ' (secret)' : ''}</td>
                <td>{c.user}</td>
                <td class="muted">{c.endpoint}</td>
                <td>{c.node}</td>
              </tr>
            ))}
            {list.data && !rows.length && <tr><td colSpan={6} class="muted">No change matches.</td></tr>}
          </tbody>
        </table>
      </div>
      <div class="pager">
        <button type="button" disabled={start === 0} onClick={() => setStart(Math.max(0, start - PAGE))}>Newer</button>
        <span class="muted">{list.total ? `${start + 1}–${start + rows.length} of ${list.total}` : ''}</span>
        <button type="button" disabled={start + PAGE >= list.total} onClick={() => setStart(start + PAGE)}>Older</button>
      </div>
    </section>
  );
}

function Change({ id }) {
  const { api } = useApp();
  const form = useForm({ force: false }, ['id', 'force']);
  const [change, setChange] = useState(null);
  const [done, setDone] = useState(null);
  useEffect(() => {
    api.get(`/cluster/history/${encodeURIComponent(id)}`).then(setChange, (err) => form.fail(err));
  }, [id, done]);
  async function revert() {
    form.clear();
    try {
      const nid = await api.post(`/cluster/history/${encodeURIComponent(id)}/revert`, form.values.force ? { force: 1 } : {});
      setDone(nid);
    } catch (err) {
      form.fail(err);
    }
  }
  return (
    <section>
      <div class="page-head"><h1>Change {id}</h1><a class="button" href={href('history')}>Back to the history</a></div>
      {change && (
        <div>
          <p><strong>{change.path}</strong> {ACTIONS[change.action] || change.action} on {change.node} at {dateTime(change.time)} by {change.user} through {change.endpoint}
            {change.upid && <> in task <a href={href('tasks', change.upid)}>{change.upid}</a></>}</p>
          <pre class="diff" aria-label="Diff">{diffLines(change.diff).map((l, i) => <div key={i} class={`diff-${l.kind}`}>{l.line}</div>)}</pre>
          {!change.secret && (
            <div class="actions">
              <Field form={form} name="force" label="Revert even if the file changed since" type="checkbox" />
              <button type="button" class="danger" onClick={revert}>Revert this change</button>
            </div>
          )}
          {done && <p class="ok">Reverted as change <a href={href('history', String(done))}>{done}</a>.</p>}
        </div>
      )}
      <FormMessage form={form} />
    </section>
  );
}
