import { AsyncLocalStorage } from 'node:async_hooks';
import { EntityManager } from 'typeorm';
import { SerialWriter } from './serial-writer';
import { TransactionContext } from './transaction-context';

/** A promise and the function that settles it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

// Only its identity matters here: the writer asks whether a group's transaction is in progress.
const groupManager = {} as EntityManager;

describe('SerialWriter', () => {
  it('runs tasks one at a time, in arrival order, and goes on after a task fails', async () => {
    const writer = new SerialWriter(new TransactionContext());
    const events: string[] = [];
    const first = gate();
    const task =
      (name: string, wait?: Promise<void>, fail = false) =>
      async () => {
        events.push(`${name} starts`);
        await wait;
        events.push(`${name} ends`);
        if (fail) throw new Error(`${name} failed`);
        return name;
      };
    const results = [
      writer.run(task('a', first.opened, true)),
      writer.run(task('b')),
      writer.run(task('c')),
    ];
    await Promise.resolve();
    expect(events).toEqual(['a starts']);
    first.open();
    await expect(results[0]).rejects.toThrow('a failed');
    await expect(Promise.all(results.slice(1))).resolves.toEqual(['b', 'c']);
    expect(events).toEqual(['a starts', 'a ends', 'b starts', 'b ends', 'c starts', 'c ends']);
  });

  it('runs a task of an atomic $batch group at once while the group holds the queue', async () => {
    const transactions = new TransactionContext();
    const writer = new SerialWriter(transactions);
    const events: string[] = [];
    const group = writer.run(() =>
      transactions.run(groupManager, async () => {
        // Queued behind the group, this would wait for the group, which waits for it.
        events.push(await writer.run(async () => 'inside the group'));
        return 'group';
      }),
    );
    const after = writer.run(async () => {
      events.push('after the group');
      return 'after';
    });
    await expect(Promise.all([group, after])).resolves.toEqual(['group', 'after']);
    expect(events).toEqual(['inside the group', 'after the group']);
  });

  it('runs every task at once when not serial (PostgreSQL orders writes itself)', async () => {
    const writer = new SerialWriter(new TransactionContext(), false);
    const blocked = gate();
    const events: string[] = [];
    void writer.run(async () => {
      await blocked.opened;
    });
    await writer.run(async () => events.push('ran'));
    expect(events).toEqual(['ran']);
    blocked.open();
  });
});

describe('TransactionContext', () => {
  afterEach(() => jest.restoreAllMocks());

  it('gives the manager to everything a group runs, and nothing outside it', async () => {
    const transactions = new TransactionContext();
    const seen = await transactions.run(groupManager, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return transactions.manager;
    });
    expect(seen).toBe(groupManager);
    expect(transactions.manager).toBeUndefined();
  });

  it('turns context tracking off when the last running group ends, not before', async () => {
    // An enabled AsyncLocalStorage makes every promise of the process slower (see the class).
    const disable = jest.spyOn(AsyncLocalStorage.prototype, 'disable');
    const transactions = new TransactionContext();
    const firstDone = gate();
    const first = transactions.run(groupManager, () => firstDone.opened);
    const second = transactions.run(groupManager, async () => {
      expect(transactions.manager).toBe(groupManager);
    });
    await second;
    expect(disable).not.toHaveBeenCalled();
    firstDone.open();
    await first;
    expect(disable).toHaveBeenCalledTimes(1);

    // A later group has its context again.
    await expect(transactions.run(groupManager, async () => transactions.manager)).resolves.toBe(
      groupManager,
    );
  });

  it('turns it off also when a group fails', async () => {
    const disable = jest.spyOn(AsyncLocalStorage.prototype, 'disable');
    const transactions = new TransactionContext();
    await expect(
      transactions.run(groupManager, async () => {
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(disable).toHaveBeenCalledTimes(1);
  });
});
