import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';

/** Where the console's build (`npm run build:console`) puts its files: dist/console in the project. */
export function consoleBuildFolder(): string {
  for (let folder = __dirname; dirname(folder) !== folder; folder = dirname(folder)) {
    const manifest = join(folder, 'package.json');
    if (
      existsSync(manifest) &&
      /"name":\s*"managed-tenant-operations"/.test(readFileSync(manifest, 'utf8'))
    )
      return join(folder, 'dist', 'console');
  }
  return join(process.cwd(), 'dist', 'console');
}

export interface ConsoleAsset {
  readonly body: Buffer;
  readonly contentType: string;
  /** A strong validator: the digest of the content (the name holds a digest too). */
  readonly etag: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/**
 * The built console, read once at start and held in memory (a few hundred kilobytes): the page's
 * template and the assets by name. Only names the build wrote are ever served, so no path a
 * client sends reaches the file system.
 */
export class ConsoleFiles {
  private constructor(
    readonly page: string | undefined,
    private readonly assets: ReadonlyMap<string, ConsoleAsset>,
  ) {}

  static load(folder = consoleBuildFolder()): ConsoleFiles {
    const pageFile = join(folder, 'index.html');
    if (!existsSync(pageFile)) return new ConsoleFiles(undefined, new Map());
    const assets = new Map<string, ConsoleAsset>();
    const assetFolder = join(folder, 'assets');
    for (const name of existsSync(assetFolder) ? readdirSync(assetFolder) : []) {
      const contentType = CONTENT_TYPES[extname(name)];
      if (!contentType) continue;
      const body = readFileSync(join(assetFolder, name));
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
      assets.set(name, { body, contentType, etag });
    }
    return new ConsoleFiles(readFileSync(pageFile, 'utf8'), assets);
  }

  get built(): boolean {
    return this.page !== undefined;
  }

  asset(name: string): ConsoleAsset | undefined {
    return this.assets.get(name);
  }
}
