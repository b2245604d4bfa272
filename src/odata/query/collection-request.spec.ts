import { randomBytes } from 'node:crypto';
import { DYNAMIC_PROPERTIES_COLUMN } from '../../database/entity-schema';
import { managedTenantOperation } from '../../edm/model';
import { CollectionRequestReader } from './collection-request';
import { InvalidQueryError } from './invalid-query.error';
import { QueryChecker } from './query-checker';
import { SkipTokenCodec } from './skip-token';

const TENANT = '5c4b2f8e-1d3a-4e6b-9f7c-2a8d0e1b3c4d';
const OTHER_TENANT = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';
const FIRST_PAGE = "$filter=status%20eq%20'running'&$top=50";

function reader(): CollectionRequestReader {
  const checker = new QueryChecker({
    entity: managedTenantOperation,
    dynamicColumn: DYNAMIC_PROPERTIES_COLUMN,
  });
  return new CollectionRequestReader(checker, new SkipTokenCodec(randomBytes(32)));
}

describe('CollectionRequestReader', () => {
  it('parses and checks a repeated first page once', () => {
    const requests = reader();
    const first = requests.read(FIRST_PAGE, TENANT);
    expect(requests.read(FIRST_PAGE, TENANT)).toBe(first);
    expect(first.query.filter).toMatchObject({ kind: 'comparison' });
    expect(first.query.top).toBe(50);
  });

  it('reads afresh for another scope, page size or query', () => {
    const requests = reader();
    const first = requests.read(FIRST_PAGE, TENANT);
    const otherTenant = requests.read(FIRST_PAGE, OTHER_TENANT);
    expect(otherTenant).not.toBe(first);
    // A skiptoken is bound to its tenant through the identity.
    expect(otherTenant.identity).not.toBe(first.identity);
    const preferred = requests.read(FIRST_PAGE, TENANT, 10);
    expect(preferred).not.toBe(first);
    expect(preferred.pageSize).toBe(10);
    expect(requests.read("$filter=status%20eq%20'done'", TENANT)).not.toBe(first);
  });

  it('does not remember a page with a skiptoken', () => {
    const requests = reader();
    const first = requests.read(FIRST_PAGE, TENANT);
    const token = requests.encodeNextPosition(first, {
      keys: ['2026-01-01T00:00:00.000Z', 'b7e3c1a2-0000-4000-8000-000000000000'],
      remaining: 30,
    });
    const next = `${FIRST_PAGE}&$skiptoken=${token}`;
    const second = requests.read(next, TENANT);
    expect(second.position).toEqual({
      keys: ['2026-01-01T00:00:00.000Z', 'b7e3c1a2-0000-4000-8000-000000000000'],
      remaining: 30,
    });
    expect(requests.read(next, TENANT)).not.toBe(second);
    expect(() => requests.read(next, OTHER_TENANT)).toThrow(InvalidQueryError);
  });

  it('refuses a bad query every time (a failed read is not remembered)', () => {
    const requests = reader();
    expect(() => requests.read('$filter=status eq', TENANT)).toThrow(InvalidQueryError);
    expect(() => requests.read('$filter=status eq', TENANT)).toThrow(InvalidQueryError);
  });

  it('remembers a bounded number of reads, forgetting the least recently used', () => {
    const requests = reader();
    const kept = requests.read(FIRST_PAGE, TENANT);
    const forgotten = requests.read('$top=1', TENANT);
    for (let i = 0; i < 300; i += 1) {
      requests.read(`$top=${i + 2}`, TENANT);
      // Used all along, so never the least recently used.
      expect(requests.read(FIRST_PAGE, TENANT)).toBe(kept);
    }
    expect(requests.read('$top=1', TENANT)).not.toBe(forgotten);
  });
});
