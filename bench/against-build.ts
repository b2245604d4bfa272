import { execFileSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');

/**
 * Another commit of the service, built beside this one for `npm run bench -- --against REF`: a
 * detached git worktree of REF in `folder`, sharing this checkout's node_modules, built as
 * `npm start` would run it. Loaded in turn with this build, round by round, it measures what a
 * change does on this shared machine better than two runs one after the other can (the machine's
 * speed moves by a fifth within minutes).
 */
export class AgainstBuild {
  private constructor(
    /** The worktree's root: the commit's `dist/` is built there. */
    readonly root: string,
    /** The commit, as `git rev-parse --short` spells it. */
    readonly commit: string,
  ) {}

  static prepare(ref: string, folder: string): AgainstBuild {
    const root = join(folder, 'against');
    const commit = git(['rev-parse', '--short', `${ref}^{commit}`]).trim();
    git(['worktree', 'add', '--detach', '--force', root, commit]);
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
    execFileSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'ignore' });
    return new AgainstBuild(root, commit);
  }

  remove(): void {
    git(['worktree', 'remove', '--force', this.root]);
  }
}

function git(args: string[]): string {
  return execFileSync('git', args, {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
