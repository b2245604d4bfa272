import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TurnBatchedDestination, WriteBytes } from './turn-batched-destination';

const endOfTurn = () => new Promise((done) => setImmediate(done));
const later = (ms: number) => new Promise((done) => setTimeout(done, ms));

function fullPipe(): NodeJS.ErrnoException {
  return Object.assign(new Error('EAGAIN: resource temporarily unavailable, write'), {
    code: 'EAGAIN',
  });
}

/** A writer that records each write, and can be told to refuse or take only part of the next. */
function recordingWriter() {
  const writes: string[] = [];
  const next: Array<'eagain' | 'epipe' | number> = [];
  const writeBytes: WriteBytes = (chunk) => {
    const plan = next.shift();
    if (plan === 'eagain') throw fullPipe();
    if (plan === 'epipe') throw Object.assign(new Error('EPIPE'), { code: 'EPIPE' });
    const taken = typeof plan === 'number' ? Math.min(plan, chunk.length) : chunk.length;
    writes.push(chunk.subarray(0, taken).toString());
    return taken;
  };
  return { writes, next, writeBytes, all: () => writes.join('') };
}

describe('TurnBatchedDestination', () => {
  it("writes a turn's lines once, in order, when the turn ends", async () => {
    const writer = recordingWriter();
    const destination = new TurnBatchedDestination({ writeBytes: writer.writeBytes });
    destination.write('{"n":1}\n');
    destination.write('{"n":2}\n');
    destination.write('{"n":3}\n');
    expect(writer.writes).toEqual([]);
    await endOfTurn();
    expect(writer.writes).toEqual(['{"n":1}\n{"n":2}\n{"n":3}\n']);
    destination.write('{"n":4}\n');
    await endOfTurn();
    expect(writer.writes).toEqual(['{"n":1}\n{"n":2}\n{"n":3}\n', '{"n":4}\n']);
  });

  it('makes deferred lines when it writes them, in order with the others', async () => {
    const writer = recordingWriter();
    const destination = new TurnBatchedDestination({ writeBytes: writer.writeBytes });
    const made: string[] = [];
    const deferred = (text: string) => ({
      toLine: () => {
        made.push(text);
        return text;
      },
    });
    destination.write('{"n":1}\n');
    destination.write(deferred('{"n":2}\n'));
    destination.write('{"n":3}\n');
    expect(made).toEqual([]);
    await endOfTurn();
    expect(made).toEqual(['{"n":2}\n']);
    expect(writer.writes).toEqual(['{"n":1}\n{"n":2}\n{"n":3}\n']);
  });

  it('writes what a short write left before anything newer', async () => {
    const writer = recordingWriter();
    const destination = new TurnBatchedDestination({ writeBytes: writer.writeBytes });
    writer.next.push(5);
    destination.write('{"n":1}\n');
    destination.write('{"n":2}\n');
    await endOfTurn();
    expect(writer.all()).toBe('{"n":1}\n{"n":2}\n');
    expect(writer.writes[0]).toBe('{"n":');
  });

  it('keeps the lines while stdout is full and writes them, in order, once it takes them', async () => {
    const writer = recordingWriter();
    const destination = new TurnBatchedDestination({
      writeBytes: writer.writeBytes,
      retryAfterMs: 5,
    });
    writer.next.push(3, 'eagain', 'eagain');
    destination.write('{"n":1}\n');
    await endOfTurn();
    destination.write('{"n":2}\n');
    await endOfTurn();
    expect(writer.all()).toBe('{"n');
    await later(50);
    expect(writer.all()).toBe('{"n":1}\n{"n":2}\n');
  });

  it('drops lines past the limit while stdout is full, and says how many once it works', async () => {
    const writer = recordingWriter();
    const destination = new TurnBatchedDestination({
      writeBytes: writer.writeBytes,
      maxPendingChars: 20,
      retryAfterMs: 5,
    });
    writer.next.push('eagain');
    destination.write('{"n":1}\n');
    await endOfTurn();
    destination.write('{"n":2}\n');
    destination.write('{"n":3}\n');
    destination.write('{"n":4}\n');
    await later(50);
    const lines = writer.all().trim().split('\n');
    expect(lines.slice(0, 2)).toEqual(['{"n":1}', '{"n":2}']);
    expect(JSON.parse(lines[2])).toMatchObject({
      level: 'warn',
      msg: '2 log lines were dropped: stdout could not take them',
    });
    expect(lines).toHaveLength(3);
  });

  it('drops a batch it cannot write at all without throwing, and says so later', async () => {
    const writer = recordingWriter();
    const destination = new TurnBatchedDestination({ writeBytes: writer.writeBytes });
    writer.next.push('epipe');
    destination.write('{"n":1}\n');
    destination.write('{"n":2}\n');
    await endOfTurn();
    destination.write('{"n":3}\n');
    await endOfTurn();
    const lines = writer.all().trim().split('\n');
    expect(lines[0]).toBe('{"n":3}');
    expect(JSON.parse(lines[1])).toMatchObject({ msg: expect.stringMatching(/^2 log lines/) });
    expect(lines).toHaveLength(2);
  });

  it('writes everything at once on flush (the exit path), without waiting for the turn', () => {
    const writer = recordingWriter();
    const destination = new TurnBatchedDestination({ writeBytes: writer.writeBytes });
    destination.write('{"n":1}\n');
    const flushed = jest.fn();
    destination.flush(flushed);
    expect(writer.all()).toBe('{"n":1}\n');
    expect(flushed).toHaveBeenCalledTimes(1);
  });

  it('waits a little at exit for a full stdout to take the rest', () => {
    const writer = recordingWriter();
    const destination = new TurnBatchedDestination({
      writeBytes: writer.writeBytes,
      retryAfterMs: 1,
    });
    writer.next.push('eagain', 'eagain');
    destination.write('{"n":1}\n');
    destination.flushSync();
    expect(writer.all()).toBe('{"n":1}\n');
  });

  it('writes to a real file descriptor', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'mto-log-'));
    const path = join(folder, 'out.log');
    const fd = openSync(path, 'w');
    try {
      const destination = new TurnBatchedDestination({
        writeBytes: (chunk) => writeSync(fd, chunk),
      });
      const lines = Array.from({ length: 1000 }, (_, n) => `{"n":${n},"text":"é ✓"}\n`);
      for (const line of lines) destination.write(line);
      await endOfTurn();
      expect(readFileSync(path, 'utf8')).toBe(lines.join(''));
    } finally {
      closeSync(fd);
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
