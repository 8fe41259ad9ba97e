// App decides between the login page and the node's pages, keeps the
// session renewed, and routes.
import { useEffect, useState } from 'preact/hooks';
import { AppContext } from './components/context.js';
import { Layout } from './components/Layout.jsx';
import { ErrorAlert } from './components/Alert.jsx';
import { useRoute } from './lib/router.js';
import { Login } from './pages/Login.jsx';
import { Summary } from './pages/Summary.jsx';
import { Tasks } from './pages/Tasks.jsx';
import { Users } from './pages/Users.jsx';
import { Acl } from './pages/Acl.jsx';
import { System } from './pages/System.jsx';
import { Disks } from './pages/Disks.jsx';
import { Network } from './pages/Network.jsx';
import { Updates } from './pages/Updates.jsx';
import { MetricServers } from './pages/MetricServers.jsx';
import { Certificates } from './pages/Certificates.jsx';
import { Boot } from './pages/Boot.jsx';
import { Guests } from './pages/Guests.jsx';
import { History } from './pages/History.jsx';
import { Cluster } from './pages/Cluster.jsx';
import { TaskDialog } from './components/TaskViewer.jsx';
import { RollbackBanner } from './components/RollbackBanner.jsx';
import { useRollbackWatch } from './components/rollback-hook.js';

const PAGES = { summary: Summary, tasks: Tasks, users: Users, acl: Acl, system: System, disks: Disks, network: Network, updates: Updates, metrics: MetricServers, boot: Boot, guests: Guests, history: History, cluster: Cluster, certificates: Certificates };

/** RENEW_CHECK is how often (ms) the session checks whether its ticket needs renewing. */
const RENEW_CHECK = 60 * 1000;

export function App({ session }) {
  const [, setVersion] = useState(0);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    const off = session.subscribe(() => setVersion((v) => v + 1));
    session.resume().finally(() => setReady(true));
    const tick = () => session.tick();
    const timer = setInterval(tick, RENEW_CHECK);
    document.addEventListener('visibilitychange', tick);
    return () => { off(); clearInterval(timer); document.removeEventListener('visibilitychange', tick); };
  }, []);
  if (!ready) return <div class="loading">Loading…</div>;
  if (!session.loggedIn) return <Login session={session} />;
  return <Node session={session} key={session.user} />;
}

function Node({ session }) {
  const route = useRoute();
  const [node, setNode] = useState(null);
  const [chosen, setChosen] = useState(null);
  const [error, setError] = useState(null);
  const [task, setTask] = useState(null);
  useEffect(() => {
    (async () => {
      // In a cluster /nodes lists every member, this node first; calls for
      // another node go through this one, which forwards them.
      const nodes = (await session.api.get('/nodes')) || [];
      const name = chosen || (nodes[0] && nodes[0].node) || 'localhost';
      const index = await session.api.get(`/nodes/${encodeURIComponent(name)}`);
      // Cluster-wide pages (metric servers) count as features named cluster/NAME.
      const cluster = await session.api.get('/cluster').catch(() => []);
      setNode({ name, nodes, features: new Set([...index.map((c) => c.name), ...(cluster || []).map((c) => `cluster/${c.name}`)]) });
    })().catch(setError);
  }, [chosen]);
  if (error) return <main class="content"><ErrorAlert error={error} /></main>;
  if (!node) return <div class="loading">Loading…</div>;
  return <NodePages session={session} node={node} route={route} task={task} setTask={setTask} onNode={(n) => { setNode(null); setChosen(n); }} />;
}

function NodePages({ session, node, route, task, setTask, onNode }) {
  const rollback = useRollbackWatch(session.api, node.name);
  const Page = PAGES[route.page] || NotFound;
  // openTask shows a task a page just started; its log streams until it ends.
  // rollback is a network apply waiting for its confirmation (or its outcome).
  const ctx = { session, api: session.api, node: node.name, features: node.features, openTask: setTask, rollback };
  return (
    <AppContext.Provider value={ctx}>
      <Layout session={session} node={node.name} nodes={node.nodes} onNode={onNode} features={node.features} page={route.page} key={node.name}>
        {rollback.view && (
          <RollbackBanner view={rollback.view} timeout={rollback.watch.timeout} onConfirm={rollback.confirm}
            onShowTask={(upid) => setTask(upid || rollback.watch.upid)} onDismiss={rollback.dismiss} />
        )}
        <Page arg={route.arg} />
      </Layout>
      {task && <TaskDialog upid={task} onClose={() => setTask(null)} />}
    </AppContext.Provider>
  );
}

function NotFound() {
  return <div class="alert alert-warn">There is no such page. Pick one from the menu.</div>;
}
