// The portal in a real browser (Playwright driving Debian's Chromium, headless)
// against an `evidence-node --dev` with a document submitted by the CLI:
//   - / : pick the file -> valid, the genesis agency's name, T = the weighted
//     median of the receipt's precommit times; a changed file -> not-found;
//     the document's bytes are in no request (only GETs of digests and the like)
//   - the offline evidence-verify.html: valid from file + receipt + genesis, a
//     receipt with one proof byte flipped -> invalid (inclusion), no request at all
//   - the certificate renders, fits one A4 page, its QR code decodes to the
//     record's page on the issuing node
//   - the public block routes carry no case id; the explorer and the case trail
//     show what they verified; the English switch
//   - the case trail draws an arc for each record's links to earlier records
//   - a node genesis other than the one this browser pinned for the chain is
//     flagged on every page, which verifies nothing until it is accepted; a
//     local genesis file is the one the page verifies against
// The README's screenshots (portal-verify.png, portal-certificate.png) go to
// $EVIDENCE_SCREENSHOT_DIR (docs/images when regenerating them), the others and
// the certificate's PDF to a temporary directory (printed at the end).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import jsQR from 'jsqr';
import { chromium } from 'playwright-core';
import { PNG } from 'pngjs';
import { startDevNode } from './dev_node.js';

const NODE_BINARY = required('EVIDENCE_NODE');
const CLI = required('EVIDENCE_CLI');
const OFFLINE_PAGE = required('EVIDENCE_OFFLINE_PAGE');
const CHROMIUM = process.env.EVIDENCE_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = mkdtempSync(join(tmpdir(), 'portal-shots-'));
const README_SHOTS = process.env.EVIDENCE_SCREENSHOT_DIR ?? SHOTS;
const CASE_ID = '(2026)鲁0831行罚1号';
const DOCUMENT_TEXT = '泗水县市场监督管理局 行政处罚决定书 (2026)鲁0831行罚1号：当事人销售过期食品，依法作出罚款决定。';

/** @type {Awaited<ReturnType<typeof startDevNode>>} */
let node;
/** @type {import('playwright-core').Browser} */
let browser;
let work = '';
let documentPath = '';
let receiptPath = '';
/** @type {any} */
let receipt;
let recordId = '';
let checkpointPath = '';

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name} (ctest does)`);
  return value;
}

before(async () => {
  mkdirSync(README_SHOTS, { recursive: true });
  node = await startDevNode(NODE_BINARY);
  work = mkdtempSync(join(tmpdir(), 'portal-docs-'));
  documentPath = join(work, '行政处罚决定书.txt');
  writeFileSync(documentPath, DOCUMENT_TEXT);
  // The case's filing first, so the decision's receipt has an inclusion proof.
  const filing = join(work, '立案审批表.txt');
  writeFileSync(filing, `立案审批表 ${CASE_ID}`);
  const submit = (file, stage) => execFileSync(CLI, ['submit', '--node', node.url, '--key', node.agencyKey, '--agency', 'dev-agency', '--kind', 'enforcement_record', '--case', CASE_ID, '--stage', stage, '--wait', '--receipt-dir', work, file]);
  submit(filing, 'filing');
  submit(documentPath, 'decision');
  receiptPath = join(work, '行政处罚决定书.txt.receipt.json');
  receipt = JSON.parse(readFileSync(receiptPath, 'utf8'));
  const found = await (await fetch(`${node.url}/v1/digests/${encodeURIComponent(receipt.record.digest)}`)).json();
  recordId = found.records[0].id;
  // The signed checkpoint of the decision's block (nothing is committed after it yet).
  checkpointPath = join(work, 'checkpoint.txt');
  writeFileSync(checkpointPath, await (await fetch(`${node.url}/checkpoint`)).text());
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  await node?.stop();
  console.log(`# screenshots: ${README_SHOTS} ${SHOTS}`);
});

// T of docs/receipt-format.md: sorted by (time, validator), the first time past
// half the signing power (the dev chain has one validator of power 1).
function existedByMs(commit, genesis) {
  const entries = commit.signatures.map((s) => ({ t: s.timestamp_ms, i: s.validator, p: genesis.validators[s.validator].power }));
  entries.sort((a, b) => a.t - b.t || a.i - b.i);
  const total = entries.reduce((sum, e) => sum + e.p, 0);
  let sum = 0;
  for (const e of entries) if (2 * (sum += e.p) > total) return e.t;
  throw new Error('no signer');
}

/** A page that records every request it makes. */
async function openPage(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, ...options });
  const page = await context.newPage();
  /** @type {{url: string, method: string, body: Buffer|null}[]} */
  const requests = [];
  page.on('request', (request) => requests.push({ url: request.url(), method: request.method(), body: request.postDataBuffer() }));
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, requests, errors };
}

test('verify page: the submitted file is valid, with the agency and the time T', async () => {
  const { context, page, requests, errors } = await openPage();
  await page.goto(`${node.url}/`);
  await page.waitForSelector('[data-testid=genesis]');
  await page.setInputFiles('[data-testid=document]', documentPath);
  const verdict = page.locator('[data-testid=verdict]');
  await verdict.waitFor();
  assert.equal(await verdict.getAttribute('data-verdict'), 'valid');
  assert.equal(await page.textContent('[data-testid=agency]'), node.genesis.agencies[0].name);
  assert.equal(await page.textContent('[data-testid=case]'), CASE_ID);
  const expected = existedByMs(receipt.commit, node.genesis);
  assert.equal(await page.getAttribute('[data-testid=existed-by]', 'datetime'), new Date(expected).toISOString());
  assert.equal(await page.textContent('[data-testid=record-id]'), recordId);
  assert.equal(await page.locator('[data-testid=checks] [data-state=passed]').count(), 6);
  await page.screenshot({ path: join(README_SHOTS, 'portal-verify.png'), fullPage: true });

  // A checkpoint beside the receipt: the validator's signature on that tree head.
  await page.setInputFiles('[data-testid=checkpoint]', checkpointPath);
  await page.waitForSelector('[data-testid=checkpoint-valid]');
  assert.match(await page.textContent('[data-testid=beside-checkpoint]'), new RegExp(node.genesis.validators[0].name));
  await page.locator('[data-testid=beside-checkpoint]').screenshot({ path: join(SHOTS, 'portal-verify-checkpoint.png') });
  const forged = readFileSync(checkpointPath, 'utf8').replace(/\n\n\u2014 (\S+) (\S)/, (_, name, first) => `\n\n\u2014 ${name} ${first === 'A' ? 'B' : 'A'}`);
  await page.setInputFiles('[data-testid=checkpoint]', { name: 'forged.txt', mimeType: 'text/plain', buffer: Buffer.from(forged) });
  await page.waitForSelector('[data-testid=checkpoint-code]');
  assert.match(await page.textContent('[data-testid=checkpoint-code]'), /^checkpoint\./);

  // The English switch re-renders the same result.
  await page.click('[data-testid=language]');
  assert.equal(await page.textContent('.verdict__title'), 'Valid');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.click('[data-testid=language]');

  // A changed file is not on the ledger.
  await page.setInputFiles('[data-testid=document]', { name: 'changed.txt', mimeType: 'text/plain', buffer: Buffer.from(DOCUMENT_TEXT + ' ') });
  await page.waitForSelector('[data-testid=verdict][data-verdict=not-found]');
  assert.deepEqual(errors, []);

  // Only GETs, none carrying the document: its bytes, or any long piece of them.
  const documentBytes = Buffer.from(DOCUMENT_TEXT);
  const piece = documentBytes.subarray(0, 24);
  for (const request of requests) {
    assert.equal(request.method, 'GET', request.url);
    assert.equal(request.body, null, request.url);
    const url = Buffer.from(decodeURIComponent(request.url));
    assert.equal(url.includes(piece), false, `${request.url} carries the document`);
  }
  const lookups = requests.filter((r) => r.url.includes('/v1/digests/')).map((r) => decodeURIComponent(r.url.split('/v1/digests/')[1]));
  assert.ok(lookups.includes(receipt.record.digest), 'the digest was looked up');
  await context.close();
});

// The node's receipts of records signed with the agency's P-256 and SM2 keys
// (SM2 with SM3 and the id "1234567812345678", as OpenSSL makes them) verify in
// the browser too.
test('verify page: records signed with P-256 and SM2 keys are valid', async () => {
  const { context, page, errors } = await openPage();
  await page.goto(`${node.url}/verify`);
  await page.waitForSelector('[data-testid=genesis]');
  for (const alg of ['p256', 'sm2']) {
    const file = join(work, `送达回证-${alg}.txt`);
    writeFileSync(file, `送达回证 ${CASE_ID} ${alg}`);
    execFileSync(CLI, ['submit', '--node', node.url, '--key', node.agencyKeys[alg], '--agency', 'dev-agency', '--kind', 'enforcement_record', '--case', CASE_ID, '--stage', 'service', '--wait', '--receipt-dir', work, file]);
    const receiptOf = JSON.parse(readFileSync(`${file}.receipt.json`, 'utf8'));
    assert.equal(receiptOf.record.sig.alg, alg);
    const found = await (await fetch(`${node.url}/v1/digests/${encodeURIComponent(receiptOf.record.digest)}`)).json();
    await page.setInputFiles('[data-testid=document]', file);
    await page.waitForSelector(`[data-record="${found.records[0].id}"]`);
    assert.equal(await page.getAttribute('[data-testid=verdict]', 'data-verdict'), 'valid', alg);
    assert.equal(await page.getAttribute('[data-testid=existed-by]', 'datetime'), new Date(existedByMs(receiptOf.commit, node.genesis)).toISOString(), alg);
  }
  assert.deepEqual(errors, []);
  await context.close();
});

// A 国密 chain (SM3 hashes for record ids, leaves, blocks and the validator
// set; SM2 signatures): its receipts verify in the browser, found by the SM3
// digest the page computes besides SHA-256.
test('verify page on an SM3 chain: an SM2-signed record is valid', async () => {
  const gm = await startDevNode(NODE_BINARY, 'sm3');
  try {
    assert.equal(gm.genesis.hash, 'sm3');
    const file = join(work, '国密-行政处罚决定书.txt');
    writeFileSync(file, `${DOCUMENT_TEXT} 国密`);
    execFileSync(CLI, ['submit', '--node', gm.url, '--key', gm.agencyKeys.sm2, '--agency', 'dev-agency', '--kind', 'enforcement_record', '--case', CASE_ID, '--stage', 'decision', '--wait', '--receipt-dir', work, file]);
    const receiptOf = JSON.parse(readFileSync(`${file}.receipt.json`, 'utf8'));
    assert.equal(receiptOf.record.sig.alg, 'sm2');
    const { context, page, errors } = await openPage();
    await page.goto(`${gm.url}/`);
    await page.waitForSelector('[data-testid=genesis-fingerprint]', { state: 'attached' });
    assert.match(await page.textContent('[data-testid=genesis-fingerprint]'), /^sm3:[0-9a-f]{64}$/);
    await page.setInputFiles('[data-testid=document]', file);
    await page.waitForSelector('[data-testid=verdict]');
    assert.equal(await page.getAttribute('[data-testid=verdict]', 'data-verdict'), 'valid');
    assert.equal(await page.getAttribute('[data-testid=existed-by]', 'datetime'), new Date(existedByMs(receiptOf.commit, gm.genesis)).toISOString());
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await gm.stop();
  }
});

test('offline page: valid from file, receipt and genesis; a flipped proof byte is invalid; no request at all', async () => {
  const { context, page, requests, errors } = await openPage();
  const blocked = [];
  await context.route('**/*', (route) => {
    if (route.request().url().startsWith('file:')) return route.continue();
    blocked.push(route.request().url());
    return route.abort();
  });
  const genesisPath = join(work, 'genesis.json');
  writeFileSync(genesisPath, JSON.stringify(node.genesis));
  await page.goto(pathToFileURL(OFFLINE_PAGE).href);
  await page.setInputFiles('[data-testid=document]', documentPath);
  await page.setInputFiles('[data-testid=receipt]', receiptPath);
  await page.setInputFiles('[data-testid=genesis]', genesisPath);
  await page.waitForSelector('[data-testid=verdict]');
  assert.equal(await page.getAttribute('[data-testid=verdict]', 'data-verdict'), 'valid');
  assert.equal(await page.getAttribute('[data-testid=existed-by]', 'datetime'), new Date(existedByMs(receipt.commit, node.genesis)).toISOString());
  await page.screenshot({ path: join(SHOTS, 'portal-offline.png'), fullPage: true });

  // One byte of the inclusion proof flipped.
  const tampered = structuredClone(receipt);
  assert.ok(tampered.inclusion_proof.length > 0, 'the second record of the log has a proof');
  tampered.inclusion_proof[0] = flipHex(tampered.inclusion_proof[0]);
  const tamperedPath = join(work, 'tampered.receipt.json');
  writeFileSync(tamperedPath, JSON.stringify(tampered));
  await page.setInputFiles('[data-testid=receipt]', tamperedPath);
  await page.waitForSelector('[data-testid=verdict][data-verdict=invalid]');
  const failed = await page.getAttribute('[data-testid=checks] [data-state=failed]', 'data-check');
  assert.equal(failed, 'inclusion');
  assert.deepEqual(errors, []);
  assert.deepEqual(blocked, [], 'the offline page asked for nothing');
  assert.deepEqual(requests.map((r) => r.url), [pathToFileURL(OFFLINE_PAGE).href], 'its only load is itself');
  await context.close();
});

test('certificate: renders, fits one A4 page, and its QR code opens the record on the issuing node', async () => {
  // Three device pixels per CSS pixel: every QR module is several pixels wide in
  // the screenshot, so the decoder never meets a blurred module edge.
  const { context, page, errors } = await openPage({ deviceScaleFactor: 3 });
  await page.goto(`${node.url}/records/${recordId}/certificate#digest=${receipt.record.digest}`);
  const qr = page.locator('[data-testid=certificate-qr] svg');
  await qr.waitFor();
  assert.equal(await page.getAttribute('[data-testid=existed-by]', 'datetime'), new Date(existedByMs(receipt.commit, node.genesis)).toISOString());
  const png = PNG.sync.read(await qr.screenshot());
  const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  assert.ok(decoded, 'the QR code decodes');
  assert.equal(decoded.data, `${node.url}/records/${recordId}#digest=${receipt.record.digest}`);
  await page.locator('[data-testid=certificate]').screenshot({ path: join(README_SHOTS, 'portal-certificate.png'), scale: 'css' });
  const pdf = await page.pdf({ format: 'A4', printBackground: true });
  writeFileSync(join(SHOTS, 'portal-certificate.pdf'), pdf);
  const pages = /\/Type\s*\/Pages[^>]*\/Count\s+(\d+)/.exec(pdf.toString('latin1'));
  assert.equal(pages?.[1], '1', 'the certificate prints on one A4 page');
  // The QR code's target: the record page verifies the receipt by itself.
  await page.goto(decoded.data);
  await page.waitForSelector('[data-testid=verdict][data-verdict=valid]');
  assert.deepEqual(errors, []);
  await context.close();
});

test('public block routes carry no case id; readers see the records', async () => {
  const encoded = encodeURIComponent(CASE_ID);
  for (const path of ['/v1/blocks/1', '/v1/blocks?from=1']) {
    const open = await (await fetch(node.url + path)).text();
    assert.ok(!open.includes(CASE_ID) && !open.includes(encoded) && !open.includes('case_id'), `${path}: ${open.slice(0, 200)}`);
    assert.ok(open.includes('"leaves"'), path);
    const reader = await (await fetch(node.url + path, { headers: { Authorization: `Bearer ${node.readerToken}` } })).text();
    assert.ok(reader.includes(CASE_ID), `${path} for a reader`);
    assert.equal((await fetch(node.url + path, { headers: { Authorization: 'Bearer wrong' } })).status, 401);
  }
});

test('explorer and case trail show what the browser verified', async () => {
  const { context, page, requests, errors } = await openPage();
  await page.goto(`${node.url}/explorer`);
  await page.waitForSelector('[data-testid=blocks] tbody tr');
  assert.equal(await page.locator('[data-testid=blocks] tbody tr .ok').count(), await page.locator('[data-testid=blocks] tbody tr').count());
  const blockPage = await page.content();
  assert.ok(!blockPage.includes(CASE_ID), 'the public explorer shows no case id');
  await page.screenshot({ path: join(SHOTS, 'portal-explorer.png'), fullPage: true });

  await page.goto(`${node.url}/cases`);
  await page.fill('[data-testid=reader-token]', node.readerToken);
  await page.fill('[data-testid=case-id]', CASE_ID);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=timeline] [data-record]');
  const trail = await page.locator('[data-testid=timeline] [data-record]').evaluateAll((items) => items.map((item) => item.getAttribute('data-record')));
  assert.ok(trail.length >= 2, 'the filing and the decision, then any later records of the case');
  assert.equal(trail[1], recordId);
  assert.equal(await page.locator('[data-testid=timeline] .ok').count(), trail.length, 'every receipt verified');
  await page.screenshot({ path: join(SHOTS, 'portal-cases.png'), fullPage: true });
  // The case id travelled in the API path only; the page's own URL keeps it in
  // the fragment, which the browser never sends.
  assert.ok(requests.filter((r) => !r.url.includes('/v1/cases/')).every((r) => !decodeURIComponent(r.url).includes(CASE_ID)));
  assert.deepEqual(errors, []);
  await context.close();
});

// The case form is drawn before the genesis arrives and drawn again when it does:
// what a fast reader typed in between must survive, and the search must wait for
// the genesis rather than do nothing. The genesis is held back until the form is
// filled, so the race the suite once lost under load happens every time here.
test('case form keeps what was typed while the genesis loads', async () => {
  const { context, page, errors } = await openPage();
  let releaseGenesis;
  const genesisHeld = new Promise((resolve) => { releaseGenesis = resolve; });
  await page.route('**/v1/genesis', async (route) => { await genesisHeld; await route.continue(); });
  await page.goto(`${node.url}/cases`);
  await page.fill('[data-testid=reader-token]', node.readerToken);
  await page.fill('[data-testid=case-id]', CASE_ID);
  assert.equal(await page.isDisabled('button[type=submit]'), true, 'no search before the genesis is here');
  releaseGenesis();
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=timeline] [data-record]');
  assert.equal(await page.inputValue('[data-testid=case-id]'), CASE_ID);
  assert.deepEqual(errors, []);
  await context.close();
});

// A record that answers earlier ones names them in `links` (evidence sign --link):
// the case trail draws an arc from it to each of them, in the left rail.
test('case trail draws the links between records', async () => {
  const file = join(work, '行政复议决定书.txt');
  writeFileSync(file, `行政复议决定书 ${CASE_ID}：维持原行政处罚决定。`);
  const signed = execFileSync(CLI, ['sign', '--key', node.agencyKey, '--agency', 'dev-agency', '--chain-id', node.genesis.chain_id, '--kind', 'reconsideration_document', '--case', CASE_ID, '--stage', 'decision', '--link', recordId, file]);
  const posted = await fetch(`${node.url}/v1/records?wait=commit`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: signed });
  assert.equal(posted.status, 201, await posted.clone().text());
  const answerId = (await posted.json()).id;
  assert.match(answerId, /^[0-9a-f]{64}$/);

  const { context, page, errors } = await openPage();
  await page.goto(`${node.url}/cases`);
  await page.fill('[data-testid=reader-token]', node.readerToken);
  await page.fill('[data-testid=case-id]', CASE_ID);
  await page.click('button[type=submit]');
  await page.waitForSelector(`[data-testid=timeline] [data-record="${answerId}"]`);
  assert.equal(await page.getAttribute(`[data-testid=timeline] [data-record="${answerId}"]`, 'data-links'), recordId);
  const arcs = await page.locator('.link-path').evaluateAll((paths) => paths.map((p) => `${p.getAttribute('data-from')}>${p.getAttribute('data-to')}`));
  assert.deepEqual(arcs, [`${answerId}>${recordId}`]);
  assert.equal(await page.locator('[data-testid=timeline] .ok').count(), await page.locator('[data-testid=timeline] [data-record]').count(), 'every receipt verified');
  await page.screenshot({ path: join(SHOTS, 'portal-cases-links.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

// The root of trust: the fingerprint of the node's genesis is remembered per
// chain; a node that later serves another genesis for that chain is flagged on
// every page, and nothing is verified against it, until the user accepts it. A
// genesis file the user picks is the one the page verifies against (a receipt of
// another chain is invalid with it).
test('genesis: a changed node genesis is flagged until accepted; a local genesis is used for verifying', async () => {
  const { context, page, errors } = await openPage();
  const pinKey = `evidence-ledger.genesis-pin.${node.genesis.chain_id}`;
  await page.goto(`${node.url}/`);
  await page.waitForSelector('[data-testid=genesis-fingerprint]', { state: 'attached' });
  const fingerprint = (await page.textContent('[data-testid=genesis-fingerprint]')).split(':')[1];
  assert.equal(await page.evaluate((key) => localStorage.getItem(key), pinKey), fingerprint, 'the first visit pins the genesis');
  assert.equal(await page.locator('[data-testid=genesis-accept]').count(), 0);

  // As if this browser had seen another genesis for the chain before: every page
  // warns and verifies nothing; the verify page shows the new fingerprint.
  await page.evaluate((key) => localStorage.setItem(key, '00'.repeat(32)), pinKey);
  const recordPage = `/records/${recordId}#digest=${receipt.record.digest}`;
  for (const path of ['/explorer', recordPage, '/']) {
    await page.goto(node.url + path);
    await page.waitForSelector('[data-testid=genesis-accept]');
    assert.match(await page.textContent('.notice--warning'), /创世文件.*不一致.*核验已暂停/, path);
  }
  assert.equal(await page.textContent('[data-testid=genesis-fingerprint]'), `sha256:${fingerprint}`);
  // The record page ran its checks (none) once the warning is up.
  await page.goto(node.url + recordPage);
  await page.waitForSelector('[data-testid=genesis-accept]');
  assert.equal(await page.locator('[data-testid=verdict]').count(), 0, 'no verdict against an unaccepted genesis');
  assert.equal(await page.textContent('[data-testid=genesis-accept]'), '已与运营方核实，信任新的创世文件');
  await page.click('[data-testid=language]');
  assert.equal(await page.textContent('[data-testid=genesis-accept]'), 'Checked with the operators: trust the new genesis file');
  await page.click('[data-testid=language]');
  await page.click('[data-testid=genesis-accept]');
  await page.waitForSelector('[data-testid=verdict][data-verdict=valid]');
  assert.equal(await page.locator('[data-testid=genesis-accept]').count(), 0);
  assert.equal(await page.evaluate((key) => localStorage.getItem(key), pinKey), fingerprint, 'accepted: the node\'s genesis is pinned');

  // A local genesis of another chain: the same file's receipt does not verify.
  await page.goto(`${node.url}/`);
  await page.waitForSelector('[data-testid=genesis]');
  const otherChain = join(work, 'other-chain-genesis.json');
  writeFileSync(otherChain, JSON.stringify({ ...node.genesis, chain_id: `${node.genesis.chain_id}-other` }));
  await page.click('[data-testid=genesis] summary');
  await page.setInputFiles('#genesis-file', otherChain);
  await page.waitForSelector('[data-testid=genesis] .notice--info', { state: 'attached' });
  assert.equal(await page.textContent('.genesis__chain'), `${node.genesis.chain_id}-other`);
  await page.setInputFiles('[data-testid=document]', documentPath);
  await page.waitForSelector('[data-testid=verdict]');
  assert.equal(await page.getAttribute('[data-testid=verdict]', 'data-verdict'), 'invalid');
  // Back to the node's genesis: valid again.
  await page.click('[data-testid=genesis] summary');
  await page.click('[data-testid=genesis] .actions button');
  await page.waitForFunction((chain) => document.querySelector('.genesis__chain')?.textContent === chain, node.genesis.chain_id);
  await page.setInputFiles('[data-testid=document]', documentPath);
  await page.waitForSelector('[data-testid=verdict][data-verdict=valid]');
  assert.deepEqual(errors, []);
  await context.close();
});

function flipHex(hex) {
  return (hex[0] === '0' ? '1' : '0') + hex.slice(1);
}
