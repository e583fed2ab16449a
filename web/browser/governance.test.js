// Receipts v2 in a real browser (Playwright driving Debian's Chromium, headless):
// the built portal, served here as files, with GET /v1/genesis and
// GET /v1/digests/... answered from the receipts-v2 corpus
// (tests/vectors/receipts/manifest-v2.json: a chain whose register changed in
// blocks 2, 4 and 6):
//   - /verify: a receipt of block 8 is valid, the governance check passed, the
//     register used is the one after block 6; a record of a key revoked
//     (rotated) later shows the note, one claimed after a compromised key's
//     effective time the warning; the same in English
//   - the certificate of the record whose key was compromised shows the
//     register used and the warning, and still prints on one A4 page
//   - the offline evidence-verify.html: the v2 receipt is valid from file +
//     receipt + genesis; with a governance block left out it is invalid at the
//     governance check
// Screenshots go to a temporary directory (printed at the end).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { VECTORS_DIR } from '../test/helpers/paths.js';

const OFFLINE_PAGE = required('EVIDENCE_OFFLINE_PAGE');
const DIST = dirname(OFFLINE_PAGE);
const CHROMIUM = process.env.EVIDENCE_CHROMIUM ?? '/usr/bin/chromium';
const CORPUS = join(VECTORS_DIR, 'receipts');
const SHOTS = mkdtempSync(join(tmpdir(), 'governance-shots-'));
const TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html; charset=utf-8' };

/** @type {import('node:http').Server} */
let server;
let base = '';
/** @type {import('playwright-core').Browser} */
let browser;
/** @type {Map<string, {id: string, receipt: any}>} digest -> the record's id (a stand-in) and
 * receipt, of the corpus' valid v2 cases */
const byDigest = new Map();

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name} (ctest does)`);
  return value;
}

const corpusFile = (path) => join(CORPUS, path);
const digestOf = (path) => `sha256:${createHash('sha256').update(readFileSync(corpusFile(path))).digest('hex')}`;

function answer(response, status, type, body) {
  response.writeHead(status, { 'content-type': type });
  response.end(body);
}

before(async () => {
  const manifest = JSON.parse(readFileSync(corpusFile('manifest-v2.json'), 'utf8'));
  for (const c of manifest.cases.filter((c) => c.exit === 0)) {
    const id = createHash('sha256').update(c.name).digest('hex');
    byDigest.set(digestOf(c.document), { id, receipt: JSON.parse(readFileSync(corpusFile(c.receipt), 'utf8')) });
  }
  server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const notFound = () => answer(response, 404, 'application/problem+json', '{"type":"not-found","title":"not found","status":404}');
    if (path === '/v1/genesis') return answer(response, 200, 'application/json', readFileSync(corpusFile('genesis/governed.json')));
    if (path.startsWith('/v1/digests/')) {
      const found = byDigest.get(path.slice('/v1/digests/'.length));
      if (!found) return notFound();
      const { id, receipt } = found;
      return answer(response, 200, 'application/json', JSON.stringify({ records: [{ id, status: 'committed', record: receipt.record, receipt }] }));
    }
    const page = path === '/' || path === '/verify' ? 'verify' : /^\/records\/[^/]+\/certificate$/.test(path) ? 'certificate' : null;
    const file = page ? join(DIST, 'pages', `${page}.html`) : join(DIST, path);
    if (path.startsWith('/v1/') || path.includes('..') || !existsSync(file)) return notFound();
    return answer(response, 200, TYPES[extname(file)] ?? 'application/octet-stream', readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  base = `http://127.0.0.1:${address.port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(() => resolve(undefined)));
  console.log(`# screenshots: ${SHOTS}`);
});

async function openPage() {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, errors };
}

/** Picks the corpus document on /verify and waits for the verdict. */
async function verifyDocument(page, document) {
  await page.setInputFiles('[data-testid=document]', corpusFile(`documents/${document}`));
  await page.waitForSelector('[data-testid=verdict]');
  return page.getAttribute('[data-testid=verdict]', 'data-verdict');
}

test('verify page: a v2 receipt is valid and names the register it was checked against', async () => {
  const { context, page, errors } = await openPage();
  await page.goto(`${base}/verify`);
  await page.waitForSelector('[data-testid=genesis]');
  assert.equal(await verifyDocument(page, 'gov-new-set.txt'), 'valid');
  assert.equal(await page.getAttribute('[data-testid=governance-state]', 'data-height'), '6');
  assert.match(await page.textContent('[data-testid=governance-state]') ?? '', /第 6 号区块/);
  assert.equal(await page.getAttribute('[data-testid=checks] [data-check=governance]', 'data-state'), 'passed');
  assert.equal(await page.locator('[data-testid=checks] [data-state=passed]').count(), 7);
  assert.equal(await page.locator('[data-testid=governance-warning]').count(), 0);
  await page.screenshot({ path: join(SHOTS, 'verify-v2.png'), fullPage: true });
  await page.click('[data-testid=language]');
  assert.match(await page.textContent('[data-testid=governance-state]') ?? '', /after the governance change of block 6/);
  await page.click('[data-testid=language]');
  assert.deepEqual(errors, []);
  await context.close();
});

test('verify page: a later revocation gives a note; a compromised key from before the record, a warning', async () => {
  const { context, page, errors } = await openPage();
  await page.goto(`${base}/verify`);
  await page.waitForSelector('[data-testid=genesis]');
  assert.equal(await verifyDocument(page, 'gov-rotated-key.txt'), 'valid');
  assert.match(await page.textContent('[data-testid=governance-note]') ?? '', /第 4 号区块被撤销（密钥轮换）/);
  assert.equal(await page.locator('[data-testid=governance-warning]').count(), 0);
  assert.equal(await verifyDocument(page, 'gov-compromised-after.txt'), 'valid');
  assert.match(await page.textContent('[data-testid=governance-warning]') ?? '', /因泄露被撤销/);
  assert.equal(await page.locator('[data-testid=governance-note]').count(), 0);
  await page.screenshot({ path: join(SHOTS, 'verify-v2-warning.png'), fullPage: true });
  await page.click('[data-testid=language]');
  assert.match(await page.textContent('[data-testid=governance-warning]') ?? '', /revoked as compromised in block 4/);
  await page.screenshot({ path: join(SHOTS, 'verify-v2-warning-en.png'), fullPage: true });
  await page.click('[data-testid=language]');
  assert.deepEqual(errors, []);
  await context.close();
});

test('certificate: the register used and the warning are on it, on one A4 page', async () => {
  const { context, page, errors } = await openPage();
  const digest = digestOf('documents/gov-compromised-after.txt');
  await page.goto(`${base}/records/${byDigest.get(digest)?.id}/certificate#digest=${digest}`);
  await page.waitForSelector('[data-testid=certificate-qr] svg');
  assert.match(await page.textContent('[data-testid=certificate]') ?? '', /创世文件的登记状态/);
  assert.match(await page.textContent('[data-testid=governance-warning]') ?? '', /因泄露被撤销/);
  await page.locator('[data-testid=certificate]').screenshot({ path: join(SHOTS, 'certificate-v2-warning.png') });
  const pdf = await page.pdf({ format: 'A4', printBackground: true });
  const pages = /\/Type\s*\/Pages[^>]*\/Count\s+(\d+)/.exec(pdf.toString('latin1'));
  assert.equal(pages?.[1], '1', 'the certificate prints on one A4 page');
  assert.deepEqual(errors, []);
  await context.close();
});

test('offline page: a v2 receipt is valid from its files; without a governance block it is invalid', async () => {
  const { context, page, errors } = await openPage();
  await page.goto(pathToFileURL(OFFLINE_PAGE).href);
  await page.setInputFiles('[data-testid=document]', corpusFile('documents/gov-new-agency.txt'));
  await page.setInputFiles('[data-testid=receipt]', corpusFile('receipts/governed-new-agency.json'));
  await page.setInputFiles('[data-testid=genesis]', corpusFile('genesis/governed.json'));
  await page.waitForSelector('[data-testid=verdict]');
  assert.equal(await page.getAttribute('[data-testid=verdict]', 'data-verdict'), 'valid');
  assert.equal(await page.getAttribute('[data-testid=governance-state]', 'data-height'), '2');
  const receipt = JSON.parse(readFileSync(corpusFile('receipts/governed-new-agency.json'), 'utf8'));
  receipt.governance.splice(0, 1);
  const dropped = join(SHOTS, 'dropped.receipt.json');
  writeFileSync(dropped, JSON.stringify(receipt));
  await page.setInputFiles('[data-testid=receipt]', dropped);
  await page.waitForSelector('[data-testid=verdict][data-verdict=invalid]');
  assert.equal(await page.getAttribute('[data-testid=checks] [data-state=failed]', 'data-check'), 'governance');
  await page.screenshot({ path: join(SHOTS, 'offline-v2-invalid.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});
