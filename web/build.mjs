// Builds the portal with fixed esbuild options (reproducible: the same sources and
// lockfile give the same bytes).
//
//   node build.mjs --out DIR [--cc FILE] [--report-cc FILE]
//
// DIR receives:
//   assets/<page>-<hash>.js, assets/chunk-<hash>.js   one ES module per page, shared chunks
//   assets/style-<hash>.css                           the one stylesheet (print rules included)
//   pages/<page>.html                                 each page's HTML (pages.json)
//   evidence-verify.html                              the offline verifier: one self-contained
//                                                     file, scripts and styles inlined
//   evidence-report.html                              the supervision report page template,
//                                                     self-contained the same way, with an
//                                                     empty <script id="report-data"> that
//                                                     `evidence report` fills
//   manifest.json                                     what the node serves where
// With --cc, FILE is C++ source that embeds all of it for api/http/web_assets.h
// (the node serves the portal from its own binary); with --report-cc, FILE is
// C++ source with the report page template for the `evidence` CLI
// (api/cli/report_files.h: ReportPageTemplate).
import { build } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = parseArgs(process.argv.slice(2));
const out = resolve(args.out);
const config = JSON.parse(readFileSync(join(here, 'pages.json'), 'utf8'));

// Browsers of the last few years, including the Chromium-based ones common on
// government desktops; BigInt (curves) needs at least these.
const TARGET = ['chrome90', 'edge90', 'firefox90', 'safari15'];
const COMMON = {
  absWorkingDir: here,
  bundle: true,
  minify: true,
  target: TARGET,
  charset: 'utf8',
  legalComments: 'eof',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
};

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'pages'), { recursive: true });

const pages = await buildPages();
const offline = await buildSelfContained(config.offline.entry, 'src/offline.html', config.offline.file);
const report = await buildSelfContained(config.report.entry, config.report.template, config.report.file);
const manifest = { pages, offline: { file: offline, path: '/' + offline }, report: { file: report }, files: listFiles() };
writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
if (args.cc) writeFileSync(resolve(args.cc), cppSource(manifest));
if (args.reportCc) writeFileSync(resolve(args.reportCc), reportCppSource(readFileSync(join(out, report))));

async function buildPages() {
  const result = await build({
    ...COMMON,
    entryPoints: [
      ...config.pages.map((page) => ({ in: page.entry, out: page.name })),
      { in: 'src/style.css', out: 'style' },
    ],
    format: 'esm',
    splitting: true,
    outdir: join(out, 'assets'),
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    metafile: true,
  });
  const outputs = Object.entries(result.metafile.outputs);
  const publicPath = (file) => '/' + relative(out, resolve(here, file)).split('\\').join('/');
  const css = outputs.find(([, o]) => o.entryPoint === 'src/style.css');
  const template = readFileSync(join(here, 'src/page.html'), 'utf8');
  return config.pages.map((page) => {
    const js = outputs.find(([, o]) => o.entryPoint === page.entry);
    const html = template
      .replaceAll('{{style}}', publicPath(css[0]))
      .replaceAll('{{script}}', publicPath(js[0]))
      .replaceAll('{{page}}', page.name);
    const file = `pages/${page.name}.html`;
    writeFileSync(join(out, file), html);
    return { name: page.name, routes: page.routes, file };
  });
}

// One HTML file with its script (an IIFE) and the stylesheet inlined: opens from
// disk with no network (the offline verifier, the report page template).
async function buildSelfContained(entry, template, file) {
  const result = await build({
    ...COMMON,
    entryPoints: [entry],
    format: 'iife',
    write: false,
    outdir: out,
  });
  const script = result.outputFiles.find((f) => f.path.endsWith('.js')).text;
  const style = (await build({ ...COMMON, entryPoints: ['src/style.css'], write: false, outdir: out })).outputFiles[0].text;
  const html = readFileSync(join(here, template), 'utf8')
    .replace('{{style}}', () => style.replaceAll('</style', '<\\/style'))
    // "</script" may not appear inside an inline script; "<\/" means the same in JS.
    .replace('{{script}}', () => script.replaceAll('</script', '<\\/script'));
  writeFileSync(join(out, file), html);
  return file;
}

function listFiles() {
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSorted(dir)) {
      const full = join(dir, name.name);
      if (name.isDirectory()) walk(full);
      else files.push(relative(out, full).split('\\').join('/'));
    }
  };
  walk(join(out, 'assets'));
  return files;
}

function readdirSorted(dir) {
  return readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function contentType(file) {
  if (file.endsWith('.js')) return 'text/javascript; charset=utf-8';
  if (file.endsWith('.css')) return 'text/css; charset=utf-8';
  if (file.endsWith('.html')) return 'text/html; charset=utf-8';
  if (file.endsWith('.txt')) return 'text/plain; charset=utf-8';
  throw new Error(`no content type for ${file}`);
}

// C++ string literals: printable ASCII as is, everything else as three-digit octal
// escapes (never followed by a digit that could extend them).
function literal(bytes) {
  const lines = [];
  let line = '';
  for (const b of bytes) {
    if (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c && b !== 0x3f) line += String.fromCharCode(b);
    else line += '\\' + b.toString(8).padStart(3, '0');
    if (line.length >= 120) {
      lines.push(`"${line}"`);
      line = '';
    }
  }
  if (line.length > 0 || lines.length === 0) lines.push(`"${line}"`);
  return lines.join('\n    ');
}

function cppSource(manifest) {
  const parts = [];
  const files = [];
  const add = (path, file, immutable) => {
    const bytes = readFileSync(join(out, file));
    const id = `kFile${files.length}`;
    parts.push(`constexpr char ${id}[] =\n    ${literal(bytes)};`);
    files.push(`    {"${path}", "${contentType(file)}", std::string_view(${id}, sizeof(${id}) - 1), ${immutable}},`);
    return id;
  };
  for (const file of manifest.files) add('/' + file, file, true);
  add(manifest.offline.path, manifest.offline.file, false);
  const pageRows = [];
  for (const page of manifest.pages) {
    const id = `kFile${files.length}`;
    parts.push(`constexpr char ${id}[] =\n    ${literal(readFileSync(join(out, page.file)))};`);
    files.push(null);
    for (const route of page.routes) {
      const pattern = route.replace(/\{[a-z_]+\}/g, '{}');
      pageRows.push(`    {"${pattern}", "${page.name}", std::string_view(${id}, sizeof(${id}) - 1)},`);
    }
  }
  return `// Generated by web/build.mjs from web/ (pages.json, src/): edit those, not this.
#include "api/http/web_assets.h"

namespace evidence::api {
namespace {

${parts.join('\n\n')}

constexpr WebFile kFiles[] = {
${files.filter(Boolean).join('\n')}
};

constexpr WebPage kPages[] = {
${pageRows.join('\n')}
};

}  // namespace

std::span<const WebFile> WebFiles() { return kFiles; }
std::span<const WebPage> WebPages() { return kPages; }

}  // namespace evidence::api
`;
}

function reportCppSource(bytes) {
  return `// Generated by web/build.mjs from web/ (src/report.html, src/pages/report_file.js): edit those, not this.
#include "api/cli/report_files.h"

namespace evidence::cli {
namespace {

constexpr char kReportPage[] =
    ${literal(bytes)};

}  // namespace

std::string_view ReportPageTemplate() { return std::string_view(kReportPage, sizeof(kReportPage) - 1); }

}  // namespace evidence::cli
`;
}

function parseArgs(argv) {
  const parsed = {};
  const usage = 'usage: node build.mjs --out DIR [--cc FILE] [--report-cc FILE]';
  for (let i = 0; i < argv.length; i += 2) {
    if (argv[i] === '--out') parsed.out = argv[i + 1];
    else if (argv[i] === '--cc') parsed.cc = argv[i + 1];
    else if (argv[i] === '--report-cc') parsed.reportCc = argv[i + 1];
    else throw new Error(`unknown argument ${argv[i]}; ${usage}`);
  }
  if (!parsed.out) throw new Error(usage);
  return parsed;
}
