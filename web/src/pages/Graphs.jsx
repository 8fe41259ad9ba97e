// Graphs of the node's history from /nodes/{node}/rrddata, drawn with uPlot
// (loaded only on this page).
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useApp } from '../components/context.js';
import { usePoll } from '../lib/poll.js';
import { CHARTS, TIMEFRAMES, hasData, toSeries } from '../lib/rrd.js';
import { bytes } from '../lib/format.js';
import { ErrorAlert } from '../components/Alert.jsx';

const COLORS = ['#2f7fa8', '#c0723a'];

export function Graphs() {
  const { api, node } = useApp();
  const [timeframe, setTimeframe] = useState('hour');
  const [cf, setCf] = useState('AVERAGE');
  const rrd = usePoll(() => api.get(`/nodes/${encodeURIComponent(node)}/rrddata`, { timeframe, cf }), 60000, [node, timeframe, cf]);
  return (
    <section class="graphs" aria-labelledby="graphs-h">
      <div class="page-head">
        <h2 id="graphs-h">History</h2>
        <div class="actions">
          <label class="inline">Time frame{' '}
            <select value={timeframe} onChange={(e) => setTimeframe(e.currentTarget.value)}>
              {TIMEFRAMES.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
            </select>
          </label>
          <label class="inline">Values{' '}
            <select value={cf} onChange={(e) => setCf(e.currentTarget.value)}>
              <option value="AVERAGE">Average</option>
              <option value="MAX">Maximum</option>
            </select>
          </label>
        </div>
      </div>
      <ErrorAlert error={rrd.error} />
      <div class="cards">
        {rrd.data && CHARTS.map((c) => <Chart key={c.title} chart={c} rows={rrd.data} />)}
      </div>
    </section>
  );
}

function formatValue(unit, v) {
  if (v === null || v === undefined) return '–';
  if (unit === 'percent') return `${v.toFixed(1)} %`;
  if (unit === 'bytes') return bytes(v);
  if (unit === 'rate') return `${bytes(v)}/s`;
  return v.toFixed(2);
}

function Chart({ chart, rows }) {
  const box = useRef(null);
  const cols = toSeries(rows, chart.series.map((s) => s[0]), chart.unit);
  const empty = !hasData(cols);
  useEffect(() => {
    if (empty || !box.current) return undefined;
    const style = getComputedStyle(document.documentElement);
    const axis = { stroke: style.getPropertyValue('--muted').trim() || '#777', grid: { stroke: style.getPropertyValue('--line').trim() || '#ddd', width: 1 } };
    const opts = {
      width: box.current.clientWidth || 400, height: 180,
      legend: { live: true },
      scales: { y: { range: chart.unit === 'percent' ? [0, 100] : (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [axis, { ...axis, size: 70, values: (u, vals) => vals.map((v) => formatValue(chart.unit, v)) }],
      series: [{}, ...chart.series.map(([, label], i) => ({ label, stroke: COLORS[i], width: 1.5, fill: i === 0 ? COLORS[i] + '22' : undefined, value: (u, v) => formatValue(chart.unit, v) }))],
    };
    const plot = new uPlot(opts, cols, box.current);
    const ro = new ResizeObserver(() => plot.setSize({ width: box.current.clientWidth, height: 180 }));
    ro.observe(box.current);
    return () => { ro.disconnect(); plot.destroy(); };
  }, [rows, empty]);
  return (
    <article class="card chart">
      <h3>{chart.title}</h3>
      {empty ? <p class="muted">No data for this time frame yet.</p> : <div ref={box} />}
    </article>
  );
}
