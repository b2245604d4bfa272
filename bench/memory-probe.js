'use strict';
/**
 * Loaded into the service by `npm run bench:engine` (node --require): samples the V8 heap every
 * 200 ms and prints, when the process is told to stop, the most heap that was in use, so that the
 * bench tells live memory from what the heap and the allocator keep in reserve (peak RSS). The
 * heap in use between collections holds garbage too, the more the longer V8 waits to collect it:
 * the probe also takes the heap in use just after each full (mark-compact) collection, which is
 * what the process really holds, and prints the most of that. With MEMORY_PROBE_TIMELINE=FILE it
 * also appends the heap in use to FILE once a second, to see when the peak happens.
 */
const { appendFileSync } = require('node:fs');
const { constants, PerformanceObserver } = require('node:perf_hooks');

let peakHeapUsed = 0;
let peakLiveHeap = 0;
let samples = 0;
const timeline = process.env.MEMORY_PROBE_TIMELINE;
setInterval(() => {
  const used = process.memoryUsage().heapUsed;
  peakHeapUsed = Math.max(peakHeapUsed, used);
  samples += 1;
  if (timeline && samples % 5 === 0) {
    appendFileSync(timeline, `${samples / 5} s ${Math.round(used / 1048576)} MB\n`);
  }
}, 200).unref();
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
    peakLiveHeap = Math.max(peakLiveHeap, process.memoryUsage().heapUsed);
  }
}).observe({ entryTypes: ['gc'] });
process.once('SIGTERM', () => {
  process.stdout.write(`memory-probe peakHeapUsed=${peakHeapUsed} peakLiveHeap=${peakLiveHeap}\n`);
});
