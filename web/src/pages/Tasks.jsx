// The task log: finished and running tasks with filters and paging; a task
// opens in the viewer, which streams its log while it runs.
import { useEffect, useState } from 'preact/hooks';
import { useApp } from '../components/context.js';
import { useForm } from '../components/form.js';
import { Field, FormMessage } from '../components/Field.jsx';
import { TaskViewer } from '../components/TaskViewer.jsx';
import { href } from '../lib/router.js';
import { dateTime, statusClass, taskName } from '../lib/format.js';
import { PAGE_SIZE, taskParams } from '../lib/taskfilter.js';

const STATUS = [['', 'Any status'], ['ok', 'OK'], ['warning', 'Warnings'], ['error', 'Errors'], ['errors', 'Everything not OK']];
const SOURCES = [['all', 'All'], ['active', 'Running & recent'], ['archive', 'Finished']];

export function Tasks({ arg }) {
  if (arg) {
    return (
      <section>
        <div class="page-head"><h1>Task</h1><a class="button" href={href('tasks')}>Back to the task log</a></div>
        <TaskViewer upid={arg} />
      </section>
    );
  }
  return <TaskList />;
}

function TaskList() {
  const { api, node } = useApp();
  const form = useForm({ source: 'all', typefilter: '', userfilter: '', status: '', since: '', until: '' },
    ['source', 'typefilter', 'userfilter', 'statusfilter', 'errors', 'since', 'until']);
  const [applied, setApplied] = useState(form.values);
  const [start, setStart] = useState(0);
  const [list, setList] = useState({ data: null, total: 0 });
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let alive = true;
    api.call('GET', `/nodes/${encodeURIComponent(node)}/tasks`, taskParams(applied, start)).then((r) => {
      if (!alive) return;
      form.clear();
      setList({ data: r.data, total: r.total || 0 });
    }, (err) => { if (alive) form.fail(err); });
    const t = setTimeout(() => setTick((n) => n + 1), 10000);
    return () => { alive = false; clearTimeout(t); };
  }, [applied, start, tick]);

  function apply(e) {
    e.preventDefault();
    setStart(0);
    setApplied({ ...form.values });
  }
  const rows = list.data || [];
  return (
    <section>
      <div class="page-head"><h1>Task log</h1></div>
      <form class="filters" onSubmit={apply} aria-label="Task filters">
        <Field form={form} name="source" label="Show" type="select" options={SOURCES} />
        <Field form={form} name="status" label="Status" type="select" options={STATUS} />
        <Field form={form} name="typefilter" label="Type" placeholder="e.g. aptupdate" />
        <Field form={form} name="userfilter" label="User" placeholder="e.g. root@pam" />
        <Field form={form} name="since" label="From" type="date" />
        <Field form={form} name="until" label="To" type="date" />
        <div class="filter-go"><button type="submit" class="primary">Filter</button></div>
      </form>
      <FormMessage form={form} />
      <div class="table-wrap">
        <table class="table tasks">
          <thead><tr><th>Started</th><th>Ended</th><th>Task</th><th>User</th><th>Status</th></tr></thead>
          <tbody>
            {rows.map((t) => (
              <tr key={t.upid}>
                <td class="nowrap">{dateTime(t.starttime)}</td>
                <td class="nowrap">{t.endtime ? dateTime(t.endtime) : '–'}</td>
                <td><a href={href('tasks', t.upid)}>{taskName(t.type, t.id)}</a></td>
                <td>{t.tokenid ? `${t.user}!${t.tokenid}` : t.user}</td>
                <td><span class={`chip chip-${statusClass(t.status)}`}>{t.status || 'running'}</span></td>
              </tr>
            ))}
            {list.data && !rows.length && <tr><td colSpan={5} class="muted">No task matches.</td></tr>}
          </tbody>
        </table>
      </div>
      <div class="pager">
        <button type="button" disabled={start === 0} onClick={() => setStart(Math.max(0, start - PAGE_SIZE))}>Newer</button>
        <span class="muted">{list.total ? `${start + 1}–${start + rows.length} of ${list.total}` : ''}</span>
        <button type="button" disabled={start + PAGE_SIZE >= list.total} onClick={() => setStart(start + PAGE_SIZE)}>Older</button>
      </div>
    </section>
  );
}
