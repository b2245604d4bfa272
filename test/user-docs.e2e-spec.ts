import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
/** What a partner's technician or an operator reads: the README and docs/, but the contributors'. */
const USER_DOCS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md') && !['development.md', 'architecture.md'].includes(name))
    .map((name) => `docs/${name}`),
];

/** The README is the front door, and the docs speak to users, not of how they were made. */
describe('the user documentation', () => {
  it('keeps the README under 200 lines', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').length).toBeLessThan(200);
  });

  it.each(USER_DOCS)('%s names no history, issue or internal file', (path) => {
    const text = readFileSync(join(ROOT, path), 'utf8');
    const found = [
      /seed page/i,
      /\bdrafts?\b/i,
      /MODEL\.md/,
      /\bissue (#?\d+|of the family)/i,
      /\b(this|last|earlier) session/i,
      /`(src|test)\/[^`]*`/,
      /uuidgen/,
    ].flatMap((pattern) => (pattern.test(text) ? [String(pattern)] : []));
    expect(found).toEqual([]);
  });

  it.each(USER_DOCS)('%s links only to documents that exist', (path) => {
    const text = readFileSync(join(ROOT, path), 'utf8');
    const missing = [...text.matchAll(/\]\(([^)#:]+\.md)(#[^)]*)?\)/g)]
      .map((match) => match[1])
      .filter((target) => !existsSync(join(ROOT, dirname(path), target)));
    expect(missing).toEqual([]);
  });
});
