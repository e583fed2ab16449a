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
 * @returns {Promise<{url: string, dir: string, genesis: any, readerToken: string, agencyKey: string, stop: () => Promise<void>}>}
 */
export async function startDevNode(nodeBinary) {
  const dir = mkdtempSync(join(tmpdir(), 'portal-browser-'));
  const child = spawn(nodeBinary, ['--dev', '--data', join(dir, 'chain'), '--api', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    agencyKey: join(chain, 'agency.pem'),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
