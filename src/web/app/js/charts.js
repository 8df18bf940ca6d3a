// Charts drawn by uPlot (compiled into the binary as vendor/uPlot.iife.min.js).
import { h } from './dom.js';

const colors = ['#3b5bdb', '#2b8a3e', '#e67700', '#c92a2a', '#7048e8', '#0b7285', '#5c940d', '#862e9c'];

// A chart of `series` ([{label, values}]) over `times` (seconds since epoch), as bars
// when `bars`. Returns the element; it resizes with the window.
export function timeChart(times, series, { bars = false, height = 220, title = '' } = {}) {
  const el = h('div.chart', { role: 'img', 'aria-label': title || series.map((s) => s.label).join(', ') });
  const U = window.uPlot;
  if (!U) {
    el.append(h('p.muted', 'The chart library did not load.'));
    return el;
  }
  const opts = {
    width: 600,
    height,
    title,
    // One point alone gets an hour either side; uPlot would otherwise span years.
    scales: {
      x: times.length === 1 ? { time: true, range: [times[0] - 3600, times[0] + 3600] } : { time: true },
      y: { range: (u, min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] }, // counts start at 0
    },
    axes: [{}, { size: 60 }],
    legend: { show: series.length > 1 },
    series: [{}, ...series.map((s, i) => ({
      label: s.label,
      stroke: colors[i % colors.length],
      fill: bars ? `${colors[i % colors.length]}99` : undefined,
      width: bars ? 0 : 2,
      paths: bars ? U.paths.bars({ size: [0.7, 40] }) : undefined,
      points: { show: !bars && times.length < 60 },
    }))],
  };
  const data = [times, ...series.map((s) => s.values)];
  // Drawn once the element is in the page and has a width.
  requestAnimationFrame(() => {
    opts.width = Math.max(280, el.clientWidth || 600);
    const plot = new U(opts, data, el);
    const resize = () => {
      if (!el.isConnected) { window.removeEventListener('resize', resize); return; }
      plot.setSize({ width: Math.max(280, el.clientWidth), height });
    };
    window.addEventListener('resize', resize);
  });
  return el;
}
