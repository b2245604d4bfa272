import { rewriteKeyPredicate } from './key-predicate';

describe('rewriteKeyPredicate', () => {
  it.each([
    ["/beta/managedTenantOperations('abc')", '/beta/managedTenantOperations/abc'],
    ["/beta/managedTenantOperations(id='abc')", '/beta/managedTenantOperations/abc'],
    ['/beta/managedTenantOperations(%27abc%27)', '/beta/managedTenantOperations/abc'],
    ["/beta/managedTenantOperations('it''s')", "/beta/managedTenantOperations/it's"],
    [
      "/beta/managedTenantOperations('a%2Fb')?$select=id",
      '/beta/managedTenantOperations/a%2Fb?$select=id',
    ],
    ["/beta/managedTenantOperations('x')/name", '/beta/managedTenantOperations/x/name'],
    ["/beta/managedTenantOperations('x')/runs(3)", '/beta/managedTenantOperations/x/runs/3'],
    [
      "/beta/managedTenantOperations('x')/compareRuns(baseRunNumber=1,runNumber=2)?$top=5",
      '/beta/managedTenantOperations/x/compareRuns/baseRunNumber=1,runNumber=2?$top=5',
    ],
    [
      "/beta/managedTenantOperations('x')/microsoft.graph.compareRuns()",
      '/beta/managedTenantOperations/x/microsoft.graph.compareRuns',
    ],
    ['/beta/managedTenantOperations/delta()', '/beta/managedTenantOperations/delta'],
    [
      "/beta/managedTenantOperations('x')/runs(runNumber=12)/results?$top=1",
      '/beta/managedTenantOperations/x/runs/12/results?$top=1',
    ],
  ])('rewrites %s to %s', (url, expected) => expect(rewriteKeyPredicate(url)).toBe(expected));

  it.each([
    '/beta/managedTenantOperations',
    '/beta/managedTenantOperations/abc',
    '/beta/managedTenantOperations(abc)',
    "/beta/managedTenantOperations('a'b')",
    "/beta/managedTenantOperations('')",
    "/beta/managedTenantOperations(id='')",
    "/beta/managedTenantOperations('')/$count",
    '/beta/managedTenantOperations(%27%27)',
    '/beta/managedTenantOperations(%E0%A4%A)',
    "/beta/managedTenantOperations?$filter=startswith(name,'x')",
    "/beta/managedTenantOperations('x')/runs(-1)",
    "/beta/managedTenantOperations('x')/runs(1.5)",
  ])('leaves %s alone', (url) => expect(rewriteKeyPredicate(url)).toBe(url));
});
