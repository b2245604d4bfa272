import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The OASIS reference files (the ABNF test cases, edm.xsd/edmx.xsd, csdl.schema.json). They are
 * not ours to ship: on the developers' machines and in CI they sit beside the checkout
 * (`../shared/odata-spec`), and ODATA_SPEC_DIR points anywhere else.
 */
export const ODATA_SPEC_DIR = resolve(
  process.env.ODATA_SPEC_DIR || join(__dirname, '..', '..', '..', 'shared', 'odata-spec'),
);

/** Where one of the reference files is. */
export function odataSpecFile(name: string): string {
  return join(ODATA_SPEC_DIR, name);
}

/**
 * Why the tests that need `files` cannot run, or undefined when every one of them is there.
 * Under CI=true a missing file is not a reason to skip: `itWithOdataSpec` fails instead.
 */
export function missingOdataSpec(files: readonly string[]): string | undefined {
  const missing = files.filter((name) => !existsSync(odataSpecFile(name)));
  if (missing.length === 0) return undefined;
  return `${missing.join(', ')} not found in ${ODATA_SPEC_DIR}: set ODATA_SPEC_DIR to the folder of the OASIS OData files`;
}

const reported = new Set<string>();

/**
 * `it`, for a test that needs OASIS reference files. Where they are missing the test is skipped,
 * its title and one line on stderr saying why; in CI (CI=true) it fails with that reason, so a
 * CI run never skips them silently.
 */
export function itWithOdataSpec(
  files: readonly string[],
  name: string,
  test: () => unknown,
  timeout?: number,
): void {
  const reason = missingOdataSpec(files);
  if (reason === undefined) {
    it(name, test as jest.ProvidesCallback, timeout);
  } else if (process.env.CI === 'true') {
    it(name, () => {
      throw new Error(`CI=true and ${reason}`);
    });
  } else {
    if (!reported.has(reason)) {
      reported.add(reason);
      process.stderr.write(`skipped: tests that need ${reason}\n`);
    }
    it.skip(`${name} (skipped: ${reason})`, () => undefined);
  }
}
