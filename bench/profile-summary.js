'use strict';
/**
 * Sums a `.cpuprofile` (from `npm run bench -- --profile DIR`) by where the time went: self time
 * per package (or our own source file) and the top functions. Only the seconds in which the
 * process was idle less than half the time count (the load, not the start, the exit or the
 * baseline's turn).
 *
 * Usage: node bench/profile-summary.js <file.cpuprofile> [top=30]
 */
const { readFileSync } = require('node:fs');

const [file, top = '30'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const isIdle = (id) => nodes.get(id).callFrame.functionName === '(idle)';
const seconds = new Map();
let clock = 0;
for (let i = 0; i < profile.samples.length; i += 1) {
  clock += profile.timeDeltas[i] ?? 0;
  const second = seconds.get(Math.floor(clock / 1e6)) ?? { samples: [], idle: 0, all: 0 };
  second.samples.push(i);
  second.all += profile.timeDeltas[i] ?? 0;
  if (isIdle(profile.samples[i])) second.idle += profile.timeDeltas[i] ?? 0;
  seconds.set(Math.floor(clock / 1e6), second);
}
const selfTime = new Map();
let busySeconds = 0;
for (const second of seconds.values()) {
  if (second.idle > second.all / 2) continue;
  busySeconds += 1;
  for (const i of second.samples) {
    const id = profile.samples[i];
    selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
}
console.log(`${busySeconds} busy seconds of ${seconds.size}`);
const total = [...selfTime.values()].reduce((sum, time) => sum + time, 0);

function place(url) {
  if (!url) return '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return url;
  const dist = url.indexOf('/dist/');
  return dist >= 0 ? url.slice(dist + 1) : url;
}

const byPlace = new Map();
const byFunction = new Map();
for (const [id, time] of selfTime) {
  const { callFrame } = nodes.get(id);
  const where = place(callFrame.url);
  byPlace.set(where, (byPlace.get(where) ?? 0) + time);
  const name = `${callFrame.functionName || '(anonymous)'} ${where}:${callFrame.lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + time);
}
const share = (time) => `${((100 * time) / total).toFixed(1).padStart(5)}%`;
const print = (title, map) => {
  console.log(`\n${title}`);
  for (const [name, time] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(top)))
    console.log(`${share(time)}  ${name}`);
};
print('self time by place', byPlace);
print('self time by function', byFunction);
