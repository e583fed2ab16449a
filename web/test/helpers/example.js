// The worked example of docs/receipt-format.md (test/fixtures/worked-example).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseGenesis } from '../../src/verify/genesis.js';
import { WEB_DIR } from './paths.js';

const dir = join(WEB_DIR, 'test', 'fixtures', 'worked-example');
export const receiptText = readFileSync(join(dir, 'receipt.json'), 'utf8');
export const genesisText = readFileSync(join(dir, 'genesis.json'), 'utf8');
export const documentBytes = new Uint8Array(readFileSync(join(dir, 'document.txt')));
export const documentDigest = 'sha256:c4aa97ccf04dfaaa51619dedeea7d5e517c292a6b02187e521b8afd69b5a43f0';
export const receipt = () => JSON.parse(receiptText);

const parsed = parseGenesis(genesisText);
if (!parsed.ok) throw new Error(`the example genesis does not parse: ${parsed.detail}`);
export const genesis = parsed.genesis;
