// Turning rrddata rows into chart series. Rows are {time, <ds>: number};
// a data source missing from a row (NaN in the RRD) becomes a gap.

/** TIMEFRAMES are the rrddata timeframes the graphs offer. */
export const TIMEFRAMES = [['hour', 'Hour'], ['day', 'Day'], ['week', 'Week'], ['month', 'Month'], ['year', 'Year']];

/** CHARTS describe each graph: its data sources, their labels and how values are scaled and shown. */
export const CHARTS = [
  { title: 'CPU usage', unit: 'percent', series: [['cpu', 'CPU'], ['iowait', 'IO wait']] },
  { title: 'Server load', unit: 'plain', series: [['loadavg', 'Load average']] },
  { title: 'Memory', unit: 'bytes', series: [['memtotal', 'Total'], ['memused', 'Used']] },
  { title: 'Network traffic', unit: 'rate', series: [['netin', 'In'], ['netout', 'Out']] },
];

/** toSeries builds uPlot's columnar data [times, ds1, ds2, …], sorted by time; percent values are scaled to 0..100. */
export function toSeries(rows, keys, unit) {
  const sorted = (rows || []).filter((r) => typeof r.time === 'number').sort((a, b) => a.time - b.time);
  const scale = unit === 'percent' ? 100 : 1;
  const cols = [sorted.map((r) => r.time)];
  for (const k of keys) {
    cols.push(sorted.map((r) => (typeof r[k] === 'number' && Number.isFinite(r[k]) ? r[k] * scale : null)));
  }
  return cols;
}

/** hasData reports whether any series has a value. */
export function hasData(cols) {
  return cols.slice(1).some((c) => c.some((v) => v !== null));
}
