import { BatchedWrites } from './batched-writes';

/** A write that the test lets finish (or fail) when it chooses. */
class Writes {
  readonly batches: number[][] = [];
  private pending: Array<{ finish: () => void; fail: (error: Error) => void }> = [];

  readonly write = (items: number[]): Promise<void> =>
    new Promise<void>((finish, fail) => {
      this.batches.push(items);
      this.pending.push({ finish, fail });
    });

  finishNext(): void {
    this.pending.shift()!.finish();
  }

  failNext(error: Error): void {
    this.pending.shift()!.fail(error);
  }
}

/** Lets the writes and adds already under way move on. */
const settle = () => new Promise((done) => setImmediate(done));

describe('BatchedWrites', () => {
  it('writes nothing until a batch waits, and writes what came during a write in the next batch', async () => {
    const writes = new Writes();
    const batched = new BatchedWrites(writes.write, { batch: 3, most: 100 }, () => 1);
    await batched.add(1);
    await batched.add(2);
    expect(writes.batches).toEqual([]);
    await batched.add(3);
    expect(writes.batches).toEqual([[1, 2, 3]]);
    // During that write: four more, past a batch, but one write at a time.
    for (const item of [4, 5, 6, 7]) await batched.add(item);
    expect(writes.batches).toEqual([[1, 2, 3]]);
    writes.finishNext();
    await settle();
    expect(writes.batches).toEqual([
      [1, 2, 3],
      [4, 5, 6, 7],
    ]);
    writes.finishNext();
    await batched.add(8);
    const flushed = batched.flush();
    await settle();
    expect(writes.batches[2]).toEqual([8]);
    writes.finishNext();
    await flushed;
  });

  it('makes the producer wait for the write under way once `most` waits', async () => {
    const writes = new Writes();
    const batched = new BatchedWrites(writes.write, { batch: 2, most: 4 }, (item: number) => item);
    await batched.add(2);
    expect(writes.batches).toEqual([[2]]);
    await batched.add(1);
    let added = false;
    const adding = batched.add(3).then(() => (added = true));
    await settle();
    expect(added).toBe(false);
    writes.finishNext();
    await adding;
    expect(writes.batches).toEqual([[2], [1, 3]]);
    writes.finishNext();
    await batched.flush();
  });

  it("meets a write's failure at the next add and at flush, and gives back what was never written", async () => {
    const writes = new Writes();
    const batched = new BatchedWrites(writes.write, { batch: 1, most: 10 }, () => 1);
    await batched.add(1);
    await batched.add(2);
    writes.failNext(new Error('disk full'));
    await settle();
    await expect(batched.add(3)).rejects.toThrow('disk full');
    await expect(batched.flush()).rejects.toThrow('disk full');
    expect(await batched.abandon()).toEqual([2]);
    expect(writes.batches).toEqual([[1]]);
  });
});
