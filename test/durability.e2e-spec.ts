import { fullOperation, newOperation } from './support/operation-factory';
import { ENTITY_SET, TestApp } from './support/test-app';

describe('durability', () => {
  it('keeps exactly the acknowledged creates, updates and deletes across a restart', async () => {
    const app = await TestApp.start();
    const kept = (await app.post(fullOperation({ ticket: 'A-1' }))).json();
    const updated = (await app.post(newOperation())).json();
    const deleted = (await app.post(newOperation())).json();
    const patch = await app.patch(`${ENTITY_SET}/${updated.id}`, {
      status: 'succeeded',
      target: { allTenants: true },
    });
    expect(patch.statusCode).toBe(200);
    expect((await app.delete(`${ENTITY_SET}/${deleted.id}`)).statusCode).toBe(204);
    const before = (await app.get(ENTITY_SET)).json().value;
    await app.stop();

    const restarted = await app.restartOnSameDatabase();
    try {
      const after = (await restarted.get(ENTITY_SET)).json().value;
      expect(after).toEqual(before);
      expect(after.map((entity: { id: string }) => entity.id).sort()).toEqual(
        [kept.id, updated.id].sort(),
      );
      expect((await restarted.get(`${ENTITY_SET}/${updated.id}`)).json()).toMatchObject({
        status: 'succeeded',
        target: { allTenants: true },
      });
      expect((await restarted.get(`${ENTITY_SET}/${deleted.id}`)).statusCode).toBe(404);
    } finally {
      await restarted.dispose();
    }
  });
});
