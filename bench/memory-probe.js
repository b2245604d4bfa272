'use strict';
/**
 * Loaded into the service by `npm run bench:engine` (node --require): samples the V8 heap every
 * 200 ms and prints, when the process is told to stop, the most heap that was in use, so that the
 * bench tells live memory from what the heap and the allocator keep in reserve (peak RSS).
 */
let peakHeapUsed = 0;
setInterval(() => {
  peakHeapUsed = Math.max(peakHeapUsed, process.memoryUsage().heapUsed);
}, 200).unref();
process.once('SIGTERM', () => {
  process.stdout.write(`memory-probe peakHeapUsed=${peakHeapUsed}\n`);
});
