'use strict';
// Plain CommonJS: Jest loads its test sequencer without compiling it.
const Sequencer = require('@jest/test-sequencer').default;

/** Jest's usual order, except that the log scan runs after every other spec of the run. */
class LogScanLastSequencer extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    const isScan = (test) => test.path.endsWith('log-scan.e2e-spec.ts');
    return [...sorted.filter((test) => !isScan(test)), ...sorted.filter(isScan)];
  }
}

module.exports = LogScanLastSequencer;
