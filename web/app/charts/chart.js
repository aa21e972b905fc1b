// chart.js - Apache ECharts in a component. ECharts is the largest module (about 1.1 MB, 370 kB
// gzip), so it is imported on the first chart, not at start-up. Charts draw on a <canvas>; the
// tooltips are HTML built by our own formatters from escaped text and class names only, so no
// inline style attribute reaches the DOM and the Content-Security-Policy (default-src 'self') holds.
import { html, useEffect, useRef } from '../lib/html.js';

let echartsModule = null;
export function loadECharts() {
  if (!echartsModule) echartsModule = import('/assets/vendor/echarts.js');
  return echartsModule;
}

export function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

// A tooltip line: "<span class=swatch-N></span> label: value". Series colours come from the
// palette below, in the same order as the .swatch-N classes of app.css.
export function tipLine(seriesIndex, text, value) {
  return `<div class="tip-line"><span class="swatch swatch-${seriesIndex % PALETTE.length}"></span>${esc(text)}: <b>${esc(value)}</b></div>`;
}

export const PALETTE = ['#1f5f8b', '#d9822b', '#2e8540', '#b5293d', '#6b4fa0', '#5b6770'];

const reduceMotion = matchMedia('(prefers-reduced-motion: reduce)').matches;

// The options every chart shares: palette, font, tooltip look, animation.
function withDefaults(option) {
  return {
    color: PALETTE,
    animation: !reduceMotion,
    textStyle: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' },
    ...option,
    tooltip: option.tooltip && {
      className: 'chart-tip',
      renderMode: 'html',
      backgroundColor: '#ffffff',
      borderColor: '#d9dee4',
      borderWidth: 1,
      padding: [8, 10],
      textStyle: { color: '#1c2430', fontSize: 13 },
      extraCssText: 'box-shadow: 0 2px 8px rgb(16 24 40 / 15%); border-radius: 6px;',
      ...option.tooltip,
    },
  };
}

// label: what the chart shows, for screen readers (role="img"); the data itself should also be
// offered as a table beside the chart. size: "" | "small" | "tall" (heights in app.css).
export function Chart({ option, label, size = '', caption }) {
  const el = useRef(null);
  const chart = useRef(null);
  useEffect(() => {
    let live = true;
    let observer = null;
    loadECharts().then((echarts) => {
      if (!live) return;
      chart.current = echarts.init(el.current, null, { renderer: 'canvas' });
      chart.current.setOption(withDefaults(option));
      observer = new ResizeObserver(() => chart.current && chart.current.resize());
      observer.observe(el.current);
    });
    return () => {
      live = false;
      if (observer) observer.disconnect();
      if (chart.current) chart.current.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    if (chart.current) chart.current.setOption(withDefaults(option), true);
  }, [option]);
  return html`
    <figure class="chart">
      <div class=${`chart-canvas ${size}`} ref=${el} role="img" aria-label=${label}></div>
      ${caption && html`<figcaption>${caption}</figcaption>`}
    </figure>`;
}
