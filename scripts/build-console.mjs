// Builds the partner console (console/src, Preact + TypeScript) into dist/console: ES modules and
// a stylesheet with content-hashed names, and index.html naming them. `npm install` runs it
// (prepare), and so does `npm start` (through build). No network: esbuild and Preact come from npm.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'console');
const started = Date.now();

// esbuild is a development dependency: an install without them (`npm ci --omit=dev`) keeps the
// console built before, as it keeps dist.
let build;
try {
  ({ build } = await import('esbuild'));
} catch {
  console.log('esbuild is not installed (no dev dependencies): the console is not rebuilt.');
  process.exit(0);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });
const { metafile } = await build({
  entryPoints: { console: join(root, 'console', 'src', 'main.tsx') },
  absWorkingDir: root,
  tsconfig: join(root, 'console', 'tsconfig.json'),
  bundle: true,
  // Code split: Microsoft's sign-in library loads only where Entra ID sign-in is configured.
  splitting: true,
  format: 'esm',
  minify: true,
  target: ['chrome115', 'firefox115', 'safari16'],
  outdir: join(out, 'assets'),
  entryNames: '[name]-[hash]',
  chunkNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});

const entry = Object.entries(metafile.outputs).find(([, output]) => output.entryPoint);
if (!entry || !entry[1].cssBundle)
  throw new Error('The console build made no entry script or stylesheet.');
const page = readFileSync(join(root, 'console', 'index.html'), 'utf8')
  .replace('{{script}}', `/console/assets/${basename(entry[0])}`)
  .replace('{{style}}', `/console/assets/${basename(entry[1].cssBundle)}`);
writeFileSync(join(out, 'index.html'), page);
const bytes = Object.values(metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
console.log(
  `Console built in ${Date.now() - started} ms (${Math.round(bytes / 1024)} KB) to dist/console.`,
);
