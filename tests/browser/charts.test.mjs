// charts.test.mjs - the ECharts components draw on a canvas under the server's
// Content-Security-Policy (default-src 'self': no inline styles or scripts) without a single
// violation, tooltips included. They are fed the sample data of charts/samples.js (the shapes
// docs/web.md documents); dashboards.test.mjs and value.test.mjs draw them from the real API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, newPage, signIn, cspViolations } from './harness.mjs';

let world;
before(async () => { world = await createWorld(); });
after(async () => { if (world) await world.close(); });

test('every chart renders on a canvas with no CSP violation', async () => {
  const page = await newPage(world);
  await signIn(page, 'admin@example.com', { path: '/settings/tokens' });
  const csp = (await page.request.get('/')).headers()['content-security-policy'];
  assert.match(csp, /default-src 'self'/);
  await page.evaluate(async () => {
    const { html, render } = await import('/app/lib/html.js');
    const samples = await import('/app/charts/samples.js');
    const { RvBandChart } = await import('/app/charts/rv-band.js');
    const { NormGroupsChart } = await import('/app/charts/norm-groups.js');
    const { ValueDistribution } = await import('/app/charts/value-dist.js');
    const { WinRateChart, PipelineChart } = await import('/app/charts/deal-bars.js');
    const { Chart } = await import('/app/charts/chart.js');
    const { npsBarsOption, csatBarsOption } = await import('/app/charts/voice-bars.js');
    const host = document.createElement('div');
    host.id = 'chart-host';
    document.querySelector('main').append(host);
    render(html`
      <div class="c-rv"><${RvBandChart} data=${samples.rvBand} /></div>
      <div class="c-norm"><${NormGroupsChart} data=${samples.teamNorm} /></div>
      <div class="c-units"><${NormGroupsChart} data=${samples.unitCompare} /></div>
      <div class="c-value"><${ValueDistribution} data=${samples.valueDistribution} /></div>
      <div class="c-winrate"><${WinRateChart} data=${samples.dealWinRate} /></div>
      <div class="c-pipeline"><${PipelineChart} data=${samples.dealPipeline} /></div>
      <div class="c-nps"><${Chart} option=${npsBarsOption(samples.surveyAnswers.nps)} label="NPS answers" /></div>
      <div class="c-csat"><${Chart} option=${csatBarsOption(samples.surveyAnswers.csat)} label="CSAT answers" /></div>`, host);
  });
  for (const part of ['c-rv', 'c-norm', 'c-units', 'c-value', 'c-winrate', 'c-pipeline', 'c-nps', 'c-csat']) {
    await page.locator(`#chart-host .${part} canvas`).first().waitFor();
  }
  assert.equal(await page.locator('#chart-host canvas').count(), 9);
  assert.equal(await page.locator('#chart-host [role="img"][aria-label*="p10"]').count(), 3);

  // A tooltip is HTML that ECharts inserts: ours has classes only, no style attributes.
  const box = await page.locator('#chart-host .c-rv canvas').first().boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.locator('.chart-tip .tip-title').first().waitFor();
  assert.match(await page.locator('.chart-tip').first().textContent(), /Age [\d,.\s]+ days/);
  // the win rate's tooltip: the group, its rate and interval
  await page.locator('#chart-host .c-winrate canvas').first().scrollIntoViewIfNeeded();
  const bars = await page.locator('#chart-host .c-winrate canvas').first().boundingBox();
  await page.mouse.move(bars.x + bars.width / 2, bars.y + bars.height / 2);
  await page.locator('.chart-tip').filter({ hasText: '95% interval' }).first().waitFor();
  // the NPS bars' tooltip: the class and its share
  await page.locator('#chart-host .c-nps canvas').first().scrollIntoViewIfNeeded();
  const nps = await page.locator('#chart-host .c-nps canvas').first().boundingBox();
  await page.mouse.move(nps.x + nps.width / 2, nps.y + nps.height / 6);
  await page.locator('.chart-tip').filter({ hasText: 'Promoters' }).first().waitFor();

  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});
