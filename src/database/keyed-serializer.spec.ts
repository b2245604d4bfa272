import { KeyedSerializer } from './keyed-serializer';

const tick = () => new Promise((done) => setTimeout(done, 1));

describe('KeyedSerializer', () => {
  it('runs tasks of one key one at a time, in order, and of different keys at once', async () => {
    const serializer = new KeyedSerializer();
    const events: string[] = [];
    const task = (name: string) => async () => {
      events.push(`${name} start`);
      await tick();
      events.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([
      serializer.run('a', task('a1')),
      serializer.run('a', task('a2')),
      serializer.run('b', task('b1')),
    ]);
    expect(results).toEqual(['a1', 'a2', 'b1']);
    expect(events.indexOf('a1 end')).toBeLessThan(events.indexOf('a2 start'));
    expect(events.indexOf('b1 start')).toBeLessThan(events.indexOf('a1 end'));
  });

  it('goes on after a failed task, and forgets keys with nothing queued', async () => {
    const serializer = new KeyedSerializer();
    await expect(
      serializer.run('a', async () => {
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(await serializer.run('a', async () => 'next')).toBe('next');
    await tick();
    expect((serializer as unknown as { tails: Map<string, unknown> }).tails.size).toBe(0);
  });
});
