import { Injectable, StreamableFile } from '@nestjs/common';
import { Caller } from '../auth/caller';
import { InvalidRequestError } from '../common/errors';
import { downloadAnswer } from '../common/streamed-answer';
import { Entity, RowConstraint } from '../edm/entity';
import { EntityType } from '../edm/model';
import { CollectionRequest } from '../odata/query/collection-request';
import { ExportFormat, fileChunks } from '../odata/tabular';
import { CollectionPage, EntityReads } from './entity-reads.service';
import { EntityResponder } from './entity-set.responder';

/** Rows read from the database at once while a file is written (one keyset page). */
const EXPORT_PAGE_ROWS = 500;

/**
 * A whole collection as one CSV or NDJSON file, with the request's `$filter`, `$search`,
 * `$orderby`, `$select`, `$top` and `$skip`, and no server-driven paging: the rows are read a
 * keyset page at a time and written as the client takes them (the next page is read only when
 * the last one has gone out), so memory stays flat whatever the number of rows.
 *
 * The first page is read before the answer starts, so a query the database refuses is still an
 * OData error with its status; a failure after that can only cut the answer short (the client
 * sees a truncated file and a connection closed without the last chunk).
 */
@Injectable()
export class CollectionExport {
  constructor(
    private readonly reads: EntityReads,
    private readonly responder: EntityResponder,
  ) {}

  async file(
    caller: Caller,
    type: EntityType,
    read: CollectionRequest,
    within: RowConstraint | undefined,
    format: ExportFormat,
    name: string,
  ): Promise<StreamableFile> {
    if (read.expand) {
      throw new InvalidRequestError(
        `$expand is not available in ${format === 'csv' ? 'CSV' : 'NDJSON'}: ask for JSON, or read the related entities as a collection of their own.`,
      );
    }
    const first: CollectionRequest = {
      ...read,
      pageSize: EXPORT_PAGE_ROWS,
      query: { ...read.query, count: false },
    };
    const page = await this.reads.page(caller, type, first, within);
    return downloadAnswer(this.lines(caller, type, first, page, within, format), format, name);
  }

  private lines(
    caller: Caller,
    type: EntityType,
    request: CollectionRequest,
    first: CollectionPage,
    within: RowConstraint | undefined,
    format: ExportFormat,
  ): AsyncGenerator<string> {
    const representation = this.responder.representationOf(type);
    const context = { serviceRoot: '', level: 'none' as const, select: request.query.select };
    return fileChunks(
      this.entities(caller, type, request, first, within),
      format,
      representation.columns(request.query.select),
      (entity: Entity) => representation.entity(entity, context),
      EXPORT_PAGE_ROWS,
    );
  }

  /** The entities of every page from the first, the next page read when the last is taken. */
  private async *entities(
    caller: Caller,
    type: EntityType,
    request: CollectionRequest,
    first: CollectionPage,
    within: RowConstraint | undefined,
  ): AsyncGenerator<Entity> {
    let page = first;
    for (;;) {
      yield* page.entities;
      if (!page.next) return;
      request = {
        ...request,
        position: page.next,
        remaining: page.next.remaining,
        query: { ...request.query, skip: undefined },
      };
      page = await this.reads.page(caller, type, request, within);
    }
  }
}
