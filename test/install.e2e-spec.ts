import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { minVersion, satisfies, validRange } from 'semver';

/**
 * `npm install` on any Node the project supports prints no EBADENGINE warning: every package the
 * lock file installs (development ones included) accepts the lowest version of each Node line
 * that package.json's `engines` allows.
 */
describe('the lock file and the supported Node versions', () => {
  const root = join(__dirname, '..');
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    engines: { node: string };
  };
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { engines?: { node?: string } | string[] }>;
  };
  const lowestOfEachLine = manifest.engines.node
    .split('||')
    .map((range) => minVersion(range.trim())!.version);

  it('names supported Node versions the machine runs', () => {
    expect(validRange(manifest.engines.node)).not.toBeNull();
    expect(satisfies(process.version, manifest.engines.node)).toBe(true);
  });

  it.each(lowestOfEachLine)('installs on Node %s without an engine warning', (version) => {
    const refused = Object.entries(lock.packages)
      .filter(([, entry]) => {
        const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
        return range !== undefined && !satisfies(version, range);
      })
      .map(([name, entry]) => `${name} (${JSON.stringify(entry.engines)})`);
    expect(refused).toEqual([]);
  });
});
