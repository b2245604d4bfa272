import { InvalidRequestError } from '../common/errors';
import {
  managedTenantOperation,
  managedTenantOperationHttpRequest,
  managedTenantOperationResult,
  managedTenantOperationRun,
} from '../edm/model';
import { parseSubscribedResource } from './subscription-resource';

const ID = '7b7246f6-46f6-7b72-f646-727bf646727b';

describe('a subscription’s resource', () => {
  it('names a set, an entity, or a navigation, with a checked $filter on collections', () => {
    expect(parseSubscribedResource('managedTenantOperations')).toMatchObject({
      entity: managedTenantOperation,
    });
    expect(parseSubscribedResource(`/managedTenantOperations/${ID}`)).toMatchObject({
      entity: managedTenantOperation,
      entityId: ID,
    });
    expect(parseSubscribedResource(`managedTenantOperations('${ID}')/results`)).toMatchObject({
      entity: managedTenantOperationResult,
      parent: { entity: managedTenantOperation, id: ID },
    });
    expect(parseSubscribedResource(`managedTenantOperations/${ID}/httpRequests`).entity).toBe(
      managedTenantOperationHttpRequest,
    );
    const filtered = parseSubscribedResource(
      "managedTenantOperations?$filter=status eq 'succeeded'",
    );
    expect(filtered.filterText).toBe("status eq 'succeeded'");
    expect(filtered.filter).toBeDefined();
    const runs = parseSubscribedResource(
      `managedTenantOperations/${ID}/runs?$filter=status eq 'failed'`,
    );
    expect(runs).toMatchObject({
      entity: managedTenantOperationRun,
      parent: { entity: managedTenantOperation, id: ID },
    });
    expect(runs.filter).toBeDefined();
    expect(() =>
      parseSubscribedResource(`managedTenantOperations/${ID}/runs?$filter=status eq 'asleep'`),
    ).toThrow(/asleep/);
  });

  it('refuses anything else, saying why', () => {
    for (const [resource, why] of [
      ['users', /not an entity set/],
      ['managedTenantOperations/not-a-guid', /not an id/],
      [`managedTenantOperations/${ID}/nothing`, /not a collection navigation/],
      [`managedTenantOperationResults/${ID}/managedTenantOperation`, /not a collection navigation/],
      [`managedTenantOperations/${ID}/results/${ID}`, /deeper/],
      [`managedTenantOperations/${ID}?$filter=status eq 'x'`, /collections only/],
      ['managedTenantOperations?$orderby=name', /\$orderby/],
      ['managedTenantOperations?$filter=status eq', /\$filter/],
      [
        "managedTenantOperations?$filter=credentials/dapAccessToken eq 'x'",
        /dapAccessToken|credentials/,
      ],
    ] as const) {
      expect(() => parseSubscribedResource(resource)).toThrow(InvalidRequestError);
      expect(() => parseSubscribedResource(resource)).toThrow(why);
    }
  });
});
