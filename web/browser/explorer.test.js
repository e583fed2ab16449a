// The block explorer on a governed chain, in a real browser (Playwright driving
// Debian's Chromium, headless), against an `evidence-node --dev` whose genesis is
// version 2 (an admin key, threshold 1: --past-window-days), changed by
// governance with the CLI (`evidence gov propose/sign/submit`): the dev
// validator's power set to 2 (a new validator set, in force two blocks later)
// and a new agency, records before and after:
//   - /explorer: every block is checked here (✓), the version-2 headers and
//     the commits of the changed set included; the governance block shows its
//     actions (zh-CN, then en); a later block names the register it was checked
//     against
//   - with the node's governance list emptied on the way (as a node hiding a
//     governance block would), the governance block and every later one are ✕
// Screenshots go to a temporary directory (printed at the end).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { startDevNode } from './dev_node.js';

const NODE_BINARY = required('EVIDENCE_NODE');
const CLI = required('EVIDENCE_CLI');
const CHROMIUM = process.env.EVIDENCE_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = mkdtempSync(join(tmpdir(), 'explorer-shots-'));

/** @type {Awaited<ReturnType<typeof startDevNode>>} */
let node;
/** @type {import('playwright-core').Browser} */
let browser;
let governanceHeight = 0;
let tip = 0;

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name} (ctest does)`);
  return value;
}

async function json(path) {
  const response = await fetch(`${node.url}${path}`);
  assert.equal(response.status, 200, path);
  return response.json();
}

before(async () => {
  node = await startDevNode(NODE_BINARY, 'sha256', ['--past-window-days', '400']);
  assert.equal(node.genesis.v, 2, 'the dev chain has a version-2 genesis');
  const work = mkdtempSync(join(tmpdir(), 'explorer-work-'));
  const chain = join(node.dir, 'chain');
  let n = 0;
  const submit = () => {
    const file = join(work, `document-${++n}.txt`);
    writeFileSync(file, `泗水县市场监督管理局 现场检查笔录 第 ${n} 份`);
    execFileSync(CLI, ['submit', '--node', node.url, '--key', node.agencyKey, '--agency', 'dev-agency', '--kind', 'enforcement_record', '--case', `(2026)鲁0831行罚${n}号`, '--stage', 'filing', '--wait', '--receipt-dir', work, file]);
  };
  const govern = (seq, action, flags) => {
    const path = join(work, `action-${seq}.json`);
    execFileSync(CLI, ['gov', 'propose', action, ...flags, '--genesis', join(chain, 'genesis.json'), '--seq', String(seq), '--out', path]);
    execFileSync(CLI, ['gov', 'sign', path, '--key', join(chain, 'admin.pem')]);
    execFileSync(CLI, ['gov', 'submit', path, '--node', node.url, '--wait']);
  };
  submit();
  submit();
  govern(1, 'set-power', ['--name', 'dev', '--power', '2']);
  execFileSync(CLI, ['keygen', '--alg', 'ed25519', '--out', join(work, 'tax.pem'), '--pub', join(work, 'tax.pub.pem')]);
  govern(2, 'add-agency', ['--id', 'sishui-tax', '--name', '泗水县税务局', '--institution', '泗水县人民政府', '--key', join(work, 'tax.pub.pem')]);
  for (let i = 0; i < 4; i++) submit();
  const governance = await json('/v1/governance/blocks');
  assert.ok(governance.blocks.length >= 1, 'the node lists its governance blocks');
  governanceHeight = governance.blocks[0].block.height;
  tip = (await json('/v1/tree-head')).height;
  assert.ok(tip >= governanceHeight + 3, `blocks after the change: tip ${tip}, governance block ${governanceHeight}`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  await node?.stop();
  console.log(`explorer screenshots: ${SHOTS}`);
});

/** The verified cell of each row of the blocks table, by height. */
async function verdicts(page) {
  await page.waitForSelector('[data-testid=blocks] tbody tr');
  return page.$$eval('[data-testid=blocks] tbody tr', (rows) =>
    Object.fromEntries(rows.map((row) => [Number(row.getAttribute('data-height')), row.querySelector('td:last-child')?.textContent ?? ''])),
  );
}

test('explorer: every block of the governed chain is valid against the validators in force at its height', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${node.url}/explorer`);
  const shown = await verdicts(page);
  assert.equal(Object.keys(shown).length, tip);
  for (const [height, cell] of Object.entries(shown)) assert.equal(cell, '✓', `block ${height}: ${cell}`);
  const header = await json(`/v1/blocks/${tip}`);
  assert.equal(header.header.version, 2, 'the blocks after the change have version-2 headers');
  const chips = await page.$$eval('[data-testid=governance-chip]', (chips) => chips.map((chip) => chip.closest('tr')?.getAttribute('data-height')));
  assert.ok(chips.includes(String(governanceHeight)), `the governance block ${governanceHeight} is marked`);
  assert.match(await page.textContent('[data-testid=governance-proven]') ?? '', /治理区块/);
  await page.screenshot({ path: join(SHOTS, 'explorer-governed.png'), fullPage: true });

  await page.goto(`${node.url}/explorer?height=${governanceHeight}`);
  await page.waitForSelector('[data-testid=governance-actions]');
  const actions = await page.textContent('[data-testid=governance-actions]');
  assert.match(actions ?? '', /调整投票权重/);
  assert.match(actions ?? '', /dev → 2/);
  assert.match(await page.textContent('.notice--success') ?? '', /✓/);
  await page.screenshot({ path: join(SHOTS, 'explorer-governance-block.png'), fullPage: true });
  await page.click('[data-testid=language]');
  assert.match(await page.textContent('[data-testid=governance-actions]') ?? '', /Set voting power/);
  await page.screenshot({ path: join(SHOTS, 'explorer-governance-block-en.png'), fullPage: true });

  await page.goto(`${node.url}/explorer?height=${tip}`);
  await page.waitForSelector('[data-testid=in-force]');
  assert.match(await page.textContent('[data-testid=in-force]') ?? '', new RegExp(`after the governance change of block \\d+`));
  assert.match(await page.textContent('.notice--success') ?? '', /✓/);
  await page.click('[data-testid=language]');
  await page.close();
});

test('explorer: with the governance blocks hidden, the governance block and every later one are invalid', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.route('**/v1/governance/blocks*', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: '{"blocks":[],"next_from":null}' }));
  await page.goto(`${node.url}/explorer`);
  const shown = await verdicts(page);
  for (const [height, cell] of Object.entries(shown)) {
    if (Number(height) < governanceHeight) assert.equal(cell, '✓', `block ${height}`);
    else assert.match(cell, /✕/, `block ${height}: ${cell}`);
  }
  await page.screenshot({ path: join(SHOTS, 'explorer-governance-hidden.png'), fullPage: true });
  await page.close();
});
