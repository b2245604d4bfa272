import { randomUUID } from 'node:crypto';
import { ENTITY_SET, TestApp } from './support/test-app';

describe('throttling per tenant and user', () => {
  it('answers requests over THROTTLE_LIMIT per window with 429 TooManyRequests and Retry-After', async () => {
    const app = await TestApp.start({ THROTTLE_LIMIT: '5', THROTTLE_WINDOW_SECONDS: '60' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i += 1) statuses.push((await app.get(ENTITY_SET)).statusCode);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
      const throttled = await app.get(ENTITY_SET);
      expect(throttled.json().error.code).toBe('TooManyRequests');
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(throttled.headers['retry-after'])).toBeLessThanOrEqual(60);

      // Another user of the same tenant has a budget of its own; public routes are not counted.
      const otherUser = `Bearer ${await app.token({ userId: randomUUID() })}`;
      const answered = await app.get(ENTITY_SET, { authorization: otherUser });
      expect(answered.statusCode).toBe(200);
      // As in Graph, an answer within the budget says nothing about it (no X-RateLimit-*).
      expect(Object.keys(answered.headers).filter((name) => /ratelimit/i.test(name))).toEqual([]);
      expect((await app.anonymous({ method: 'GET', url: '/beta/$metadata' })).statusCode).toBe(200);
    } finally {
      await app.dispose();
    }
  });
});
