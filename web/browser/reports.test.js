// The supervision report in a real browser (Playwright driving Debian's Chromium,
// headless) against an `evidence-node --dev --past-window-days 400` holding a year
// of demo cases written by `evidence demo-cases` with planted violations:
//   - `evidence report` writes report.json with exactly the planted findings, and
//     its report.html opens from disk, draws its three charts (ECharts, SVG) and
//     makes no request at all;
//   - the portal's /reports page with the supervisor's token draws the same
//     charts and lists the same findings; a court reader's token is refused.
// Screenshots of every chart go to a temporary directory (printed at the end).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { startDevNode } from './dev_node.js';

const NODE_BINARY = required('EVIDENCE_NODE');
const CLI = required('EVIDENCE_CLI');
const CHROMIUM = process.env.EVIDENCE_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = mkdtempSync(join(tmpdir(), 'report-shots-'));
const PLANTED = {
  decision_within_90_days: 2,
  service_within_7_working_days: 1,
  hearing_notice_7_working_days_before: 1,
  missing_stage: 1,
  reconsideration_acceptance_within_5_working_days: 1,
  reconsideration_decision_within_60_days: 1,
};
const CHARTS = ['chart-monthly', 'chart-on-time', 'chart-timeline'];

/** @type {Awaited<ReturnType<typeof startDevNode>>} */
let node;
/** @type {import('playwright-core').Browser} */
let browser;
let reportDir = '';
/** @type {any} */
let report;
let from = '';
let to = '';

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name} (ctest does)`);
  return value;
}

/** YYYY-MM-DD in Beijing time, `days` from now. */
function beijingDate(days) {
  return new Date(Date.now() + days * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
}

before(async () => {
  node = await startDevNode(NODE_BINARY, 'sha256', ['--past-window-days', '400']);
  const plant = Object.entries(PLANTED).map(([rule, count]) => `${rule}=${count}`).join(',');
  execFileSync(CLI, ['demo-cases', '--node', node.url, '--key', node.agencyKey, '--agency', 'dev-agency', '--cases', '60', '--seed', '11', '--plant', plant]);
  from = beijingDate(-390);
  to = beijingDate(0);
  reportDir = join(mkdtempSync(join(tmpdir(), 'report-')), 'out');
  execFileSync(CLI, ['report', '--node', node.url, '--token', node.supervisorToken, '--from', from, '--to', to, '--out', reportDir]);
  report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8'));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  await node?.stop();
  console.log(`# screenshots: ${SHOTS}`);
});

async function openPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const requests = [];
  const errors = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return { context, page, requests, errors };
}

/** Waits for every chart to have drawn SVG shapes; screenshots each. */
async function expectCharts(page, prefix) {
  for (const chart of CHARTS) {
    const element = page.getByTestId(chart);
    // Shapes exist once ECharts has drawn (a grid line has no area, so "attached", not "visible").
    await element.locator('svg path').nth(5).waitFor({ state: 'attached', timeout: 15_000 });
    const shapes = await element.locator('svg path').count();
    assert.ok(shapes > 5, `${chart}: ${shapes} shapes`);
    await element.screenshot({ path: join(SHOTS, `${prefix}-${chart}.png`) });
  }
}

/** At 1280 px the per-agency table shows every column without scrolling. */
async function expectTableFits(page) {
  const wrap = page.getByTestId('agency-table').locator('xpath=..');
  const { scroll, client } = await wrap.evaluate((element) => ({ scroll: element.scrollWidth, client: element.clientWidth }));
  assert.ok(scroll <= client, `the agency table is ${scroll} px wide in ${client} px`);
}

test('evidence report: exactly the planted findings, each citing records with receipts', () => {
  const found = {};
  for (const finding of report.findings) found[finding.rule] = (found[finding.rule] ?? 0) + 1;
  assert.deepEqual(found, PLANTED);
  assert.equal(report.findings_total, 7);
  assert.equal(report.summary.totals.cases, 60);
  for (const finding of report.findings) {
    for (const id of finding.records) {
      const receipt = JSON.parse(readFileSync(join(reportDir, 'receipts', `${id}.json`), 'utf8'));
      assert.equal(receipt.record.case_id, finding.case_id);
    }
  }
  const csv = readFileSync(join(reportDir, 'findings.csv'), 'utf8');
  assert.equal(csv.trim().split('\r\n').length, 8);
});

test('report.html opens from disk, draws its charts and asks nothing of the network', async () => {
  const { context, page, requests, errors } = await openPage();
  await page.goto(pathToFileURL(join(reportDir, 'report.html')).href);
  await page.getByTestId('report').waitFor();
  await expectCharts(page, 'file');
  assert.equal(await page.getByTestId('report-findings').textContent(), '7');
  assert.equal(await page.getByTestId('findings-table').locator('tbody tr').count(), 7);
  await page.screenshot({ path: join(SHOTS, 'file-report.png'), fullPage: true });
  assert.deepEqual(requests.filter((url) => !url.startsWith('file:')), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the /reports page draws the same report for the supervision office, in both languages', async () => {
  const { context, page, errors } = await openPage();
  await page.goto(`${node.url}/reports`);
  await page.getByTestId('reports-token').fill(node.supervisorToken);
  await page.getByTestId('reports-from').fill(from);
  await page.getByTestId('reports-to').fill(to);
  await page.getByTestId('reports-submit').click();
  await page.getByTestId('report').waitFor();
  await expectCharts(page, 'portal');
  assert.equal(await page.getByTestId('findings-table').locator('tbody tr').count(), 7);
  await expectTableFits(page);
  // One rule's findings only.
  await page.getByTestId('findings-rule').selectOption('decision_within_90_days');
  assert.equal(await page.getByTestId('findings-table').locator('tbody tr').count(), 2);
  await page.screenshot({ path: join(SHOTS, 'portal-report.png'), fullPage: true });
  await page.getByTestId('language').click();
  await page.getByText('Supervision report').first().waitFor();
  await expectCharts(page, 'portal-en');
  // The time axis speaks the page's language (ECharts would take the browser's).
  const axis = await page.getByTestId('chart-timeline').locator('svg text').allTextContents();
  assert.ok(axis.length > 0);
  assert.deepEqual(axis.filter((text) => /[\u4e00-\u9fff]/.test(text)), [], axis.join(' | '));
  await expectTableFits(page);
  await page.screenshot({ path: join(SHOTS, 'portal-report-en.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('on a phone the report scrolls its wide table, not the page', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(pathToFileURL(join(reportDir, 'report.html')).href);
  await page.getByTestId('report').waitFor();
  await expectCharts(page, 'phone');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the page is ${overflow} px wider than the screen`);
  await page.screenshot({ path: join(SHOTS, 'phone-report.png'), fullPage: true });
  await context.close();
});

test('the /reports page refuses a reader whose role may not read reports', async () => {
  const { context, page } = await openPage();
  await page.goto(`${node.url}/reports`);
  await page.getByTestId('reports-token').fill(node.readerToken);
  await page.getByTestId('reports-submit').click();
  await page.getByText('supervisor').last().waitFor();
  assert.equal(await page.getByTestId('report').count(), 0);
  await context.close();
});
