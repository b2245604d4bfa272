/**
 * Runs tasks with the same key one after another, and tasks with different keys at once. On
 * PostgreSQL, concurrent PATCHes of one entity within an instance queue here instead of racing
 * (and retrying) on the conditional UPDATE; races with other instances are still settled by it.
 */
export class KeyedSerializer {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    // The last task of a key removes it, so the map holds only keys with work queued.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
