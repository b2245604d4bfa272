import { Caller } from '../auth/caller';
import { ChangeFeedStore } from '../database/stores/change-feed.store';
import { EntityStore } from '../database/stores/entity.store';
import { RowConstraint } from '../edm/entity';
import { DeltaRequest } from '../odata/query/delta-request';
import { Entity } from '../edm/entity';
import { DeltaState } from '../odata/delta-token';

/**
 * A page of a delta query: the entities created or changed (current state), the ids of those
 * deleted, and where the query goes on: the next page of this round, or the next round.
 */
export interface DeltaPage<Properties extends object = Entity['properties']> {
  readonly entities: Entity<Properties>[];
  readonly removed: string[];
  readonly next?: DeltaState;
  readonly deltaLink?: DeltaState;
}

/**
 * One page of a delta query (Microsoft Graph's delta, OData 4.01 §11.3). The first round pages
 * through the current rows, in the collection's order, and ends with a deltaLink at the feed's
 * position when it began: what changes meanwhile is in the next round. A later round pages
 * through the ids that changed between two positions fixed when it began, in id order, each
 * with its current state or as removed: writes between the pages of a round neither add an
 * entity to it nor send one twice; they are in the next round.
 */
export async function deltaPage(
  store: EntityStore,
  changes: ChangeFeedStore,
  caller: Caller,
  request: DeltaRequest,
  within: RowConstraint | undefined,
  parentId: string | undefined,
): Promise<DeltaPage> {
  const state = request.state;
  const select = request.selectText;
  if (state === 'latest') {
    const at = Date.now();
    return {
      entities: [],
      removed: [],
      deltaLink: { phase: 'delta', to: await changes.position(), at, select },
    };
  }
  if (state === undefined || state.phase === 'initial') {
    const at = state?.at ?? Date.now();
    const to = state?.to ?? (await changes.position());
    const query = { orderBy: request.initialOrder };
    const limit = request.pageSize;
    const rows = await store.findPage(caller, query, state?.after, limit + 1, within);
    const page = rows.slice(0, limit);
    return {
      entities: page.map((row) => row.entity),
      removed: [],
      ...(rows.length > limit
        ? { next: { phase: 'initial', to, at, after: page[page.length - 1].position, select } }
        : { deltaLink: { phase: 'delta', to, at, select } }),
    };
  }
  const round =
    state.phase === 'delta'
      ? { from: state.to, at: state.at, to: await changes.position(), toAt: Date.now() }
      : state;
  const scope = {
    tenantId: caller.tenantId,
    entitySet: store.entity.entitySetName,
    parentId,
  };
  const limit = request.pageSize;
  const after = state.phase === 'changes' ? state.after : undefined;
  const ids = await changes.changedIds(scope, round.from, round.to, after, limit + 1);
  const pageIds = ids.slice(0, limit);
  const found = new Map(
    (await store.findByIds(caller, pageIds, within)).map((entity) => [entity.id, entity]),
  );
  const { from, to, at, toAt } = round;
  return {
    entities: pageIds.filter((id) => found.has(id)).map((id) => found.get(id)!),
    removed: pageIds.filter((id) => !found.has(id)),
    ...(ids.length > limit
      ? {
          next: {
            phase: 'changes',
            from,
            to,
            toAt,
            at,
            after: pageIds[pageIds.length - 1],
            select,
          },
        }
      : { deltaLink: { phase: 'delta', to, at: toAt, select } }),
  };
}
