import { entitySetDtos } from '../entity-sets/entity-set-dtos';
import { seedExampleRequest } from '../managed-tenant-operations/seed-example';
import { InvalidRequestError } from '../common/errors';
import { parseEntityWrite } from './entity-write';
import { managedTenantOperation } from './model';

const parseCreate = (body: unknown) =>
  parseEntityWrite(managedTenantOperation, entitySetDtos(managedTenantOperation).create, body);
const parseUpdate = (body: unknown) =>
  parseEntityWrite(managedTenantOperation, entitySetDtos(managedTenantOperation).update, body);

describe('parseEntityWrite', () => {
  it("accepts the seed's example and drops the @odata.type annotations", () => {
    const write = parseCreate(seedExampleRequest);
    expect(write.dynamic).toEqual({});
    expect(write.declared.result).toEqual({});
    expect(write.declared).not.toHaveProperty('@odata.type');
    expect(write.declared.status).toBe('running');
  });

  it('splits dynamic properties from declared ones and drops computed ones', () => {
    const write = parseCreate({
      ...seedExampleRequest,
      createdDateTime: 'ignored',
      lastModifiedDateTime: 'ignored',
      ticket: 'INC-1',
      _private: { a: 1 },
    });
    expect(write.dynamic).toEqual({ ticket: 'INC-1', _private: { a: 1 } });
    expect(write.declared).not.toHaveProperty('createdDateTime');
  });

  it('stores Guids in lower case and date-times in UTC', () => {
    const tenant = 'AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE';
    const write = parseCreate({
      ...seedExampleRequest,
      partnerTenantId: tenant,
      target: { tenantIds: [tenant] },
      result: {
        createdDateTime: '2026-03-01T01:00:00+02:00',
        tenantExceptions: [{ tenantId: tenant }],
      },
    });
    expect(write.declared.partnerTenantId).toBe(tenant.toLowerCase());
    expect(write.declared.target).toEqual({ tenantIds: [tenant.toLowerCase()] });
    expect(write.declared.result).toEqual({
      createdDateTime: '2026-02-28T23:00:00.000Z',
      tenantExceptions: [{ tenantId: tenant.toLowerCase() }],
    });
  });

  it('names every offending property in one message', () => {
    expect(() => parseCreate({ ...seedExampleRequest, status: 1, partnerUserId: 'x' })).toThrow(
      /'status' must be a String.*'partnerUserId' must be a Guid/,
    );
  });

  it('requires the required properties on create only', () => {
    expect(() => parseCreate({ status: 'x' })).toThrow(InvalidRequestError);
    expect(parseUpdate({ status: 'x' }).declared).toEqual({ status: 'x' });
  });

  it('does not let an update set a required property to null, but does a nullable nested one', () => {
    expect(() => parseUpdate({ name: null })).toThrow(/'name'/);
    expect(parseUpdate({ result: { exception: null } }).declared).toEqual({
      result: { exception: null },
    });
  });
});
