import { readRunLog, runLogPath } from './support/run-log';

/**
 * Runs after every other e2e spec (test/support/log-scan-last.sequencer.ts): the services those
 * specs started wrote their logs to one file, and the tokens, credentials and keys they used were
 * noted beside it. None of them may appear in the log.
 */
describe('the log of the whole e2e run', () => {
  const { log, secrets } = readRunLog();

  it('was written by the run (run this spec with the rest of the e2e suite)', () => {
    expect(runLogPath()).toBeDefined();
    const completed = log.split('\n').filter((line) => line.includes('"msg":"request completed"'));
    // Hundreds of specs' requests; far fewer would mean the services did not log here at all.
    expect(completed.length).toBeGreaterThan(1000);
    expect(secrets.length).toBeGreaterThan(100);
  });

  it('holds no token, credential or key that the tests used', () => {
    const leaked = secrets.filter((secret) => log.includes(secret));
    expect(leaked).toEqual([]);
  });

  it('holds only JSON lines', () => {
    const notJson = log
      .split('\n')
      .filter(Boolean)
      .filter((line) => {
        try {
          return typeof JSON.parse(line) !== 'object';
        } catch {
          return true;
        }
      });
    expect(notJson.slice(0, 5)).toEqual([]);
  });
});
