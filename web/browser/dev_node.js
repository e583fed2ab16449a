// An `evidence-node --dev` for the browser tests: started on a free port of
// 127.0.0.1 (--api 127.0.0.1:0) in a temporary directory, known to be serving once
// it prints its "API: <url>" line, stopped with SIGTERM (the directory removed).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * @param {string} nodeBinary path of evidence-node
 * @param {'sha256'|'sm3'} [hash] the chain's hash (sm3: a 国密 chain)
 * @param {string[]} [extraArgs] more arguments, e.g. ['--past-window-days', '400']
 * @returns {Promise<{url: string, dir: string, genesis: any, readerToken: string, supervisorToken: string, agencyKey: string,
 *                    agencyKeys: {ed25519: string, p256: string, sm2: string}, stop: () => Promise<void>}>}
 */
export async function startDevNode(nodeBinary, hash = 'sha256', extraArgs = []) {
  const dir = mkdtempSync(join(tmpdir(), 'portal-browser-'));
  const args = ['--dev', '--dev-hash', hash, '--data', join(dir, 'chain'), '--api', '127.0.0.1:0', ...extraArgs];
  const child = spawn(nodeBinary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const match = /^API: (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (match) resolve(match[1]);
    });
    exited.then((code) => reject(new Error(`evidence-node --dev exited (${code}) before serving: ${stderr}`)));
  });
  const chain = join(dir, 'chain');
  return {
    url,
    dir,
    genesis: JSON.parse(readFileSync(join(chain, 'genesis.json'), 'utf8')),
    readerToken: readFileSync(join(chain, 'reader-token'), 'utf8').trim(),
    supervisorToken: readFileSync(join(chain, 'supervisor-token'), 'utf8').trim(),
    agencyKey: join(chain, 'agency.pem'),
    agencyKeys: { ed25519: join(chain, 'agency.pem'), p256: join(chain, 'agency-p256.pem'), sm2: join(chain, 'agency-sm2.pem') },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
