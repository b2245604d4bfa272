import { Injectable, StreamableFile } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { Caller } from '../auth/caller';
import { rawQuery } from '../common/service-root';
import { RowConstraint } from '../edm/entity';
import { EntityType } from '../edm/model';
import { negotiateCollection } from '../odata/format';
import { parsePrefer } from '../odata/prefer';
import { CollectionRequestReader } from '../odata/query/collection-request';
import { PagePosition } from '../odata/query/skip-token';
import { EntityReads } from './entity-reads.service';
import { EntitySetRegistry } from './entity-set.registry';
import { EntityResponder } from './entity-set.responder';
import { CollectionExport } from './collection-export';

/** Where a collection is read: its URL path from the service root, and the scope of its tokens. */
export interface CollectionAt {
  readonly path: string;
  /** What a skiptoken is bound to (the caller's tenant, and the principal of a navigation). */
  readonly scope: string;
  /** The rows' constraint besides the tenant (a navigation's principal). */
  readonly within?: RowConstraint;
}

/**
 * A collection's two reads as every collection URL answers them (an entity set, a navigation, a
 * contained entity's navigation): a page with the request's query options and paging (or the
 * whole collection as a CSV or NDJSON file), and `$count` as text.
 */
@Injectable()
export class CollectionAnswers {
  constructor(
    private readonly sets: EntitySetRegistry,
    private readonly reads: EntityReads,
    private readonly responder: EntityResponder,
    private readonly exports: CollectionExport,
  ) {}

  async page(
    caller: Caller,
    type: EntityType,
    reader: CollectionRequestReader,
    at: CollectionAt,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<Record<string, unknown> | StreamableFile> {
    const preferences = parsePrefer(request.headers.prefer);
    const read = reader.read(rawQuery(request), at.scope, preferences.maxPageSize);
    const answer = negotiateCollection(request.headers.accept, read.format);
    if ('file' in answer) {
      // `managedTenantOperations('…')/results` is saved as results.csv.
      const name = at.path.slice(at.path.lastIndexOf('/') + 1);
      return this.exports.file(caller, type, read, at.within, answer.file, name);
    }
    const level = answer.level;
    const page = await this.reads.page(caller, type, read, at.within);
    const links = {
      path: at.path,
      skipTokenOf: (next: PagePosition) => reader.encodeNextPosition(read, next),
    };
    return this.responder.collection(type, links, read, page, level, request, reply);
  }

  async count(
    caller: Caller,
    type: EntityType,
    reader: CollectionRequestReader,
    within: RowConstraint | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<string> {
    const query = reader.readCount(rawQuery(request));
    const count = await this.sets.serviceOf(type).count(caller, query, within);
    reply.type('text/plain; charset=utf-8');
    return String(count);
  }
}
