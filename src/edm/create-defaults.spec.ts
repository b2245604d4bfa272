import { withCreateDefaults } from './create-defaults';
import { managedTenantOperation } from './model';

const writer = { tenantId: 'tenant', userId: 'user' };

describe('withCreateDefaults', () => {
  it('fills in what is left out, and keeps what was sent', () => {
    const filled = withCreateDefaults(
      managedTenantOperation,
      { name: 'n', status: 'mine' },
      writer,
    );
    expect(filled).toMatchObject({
      name: 'n',
      status: 'mine',
      partnerTenantId: 'tenant',
      partnerUserId: 'user',
      description: '',
      result: { tenantExceptions: [], result: [] },
      aggregationDefinition: { value: '' },
    });
    expect(filled.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps the current requestId on a replace, and gives each write its own copy of a value', () => {
    const current = { requestId: 'kept' };
    const first = withCreateDefaults(managedTenantOperation, {}, writer, current);
    const second = withCreateDefaults(managedTenantOperation, {}, writer, current);
    expect(first.requestId).toBe('kept');
    expect(first.result).not.toBe(second.result);
  });

  it('refuses to make up the user of a token that names none', () => {
    expect(() =>
      withCreateDefaults(managedTenantOperation, {}, { tenantId: 'tenant', userId: '' }),
    ).toThrow("'partnerUserId' is required: the token names no user (oid) to take it from.");
  });
});
