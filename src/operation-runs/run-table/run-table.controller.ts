import { Controller, Get, Param, Req, StreamableFile } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { FastifyRequest } from 'fastify';
import { CurrentCaller, RequirePermission } from '../../auth/auth.decorators';
import { Caller } from '../../auth/caller';
import { InvalidRequestError } from '../../common/errors';
import { downloadAnswer, streamedAnswer } from '../../common/streamed-answer';
import { ODataErrorResponse } from '../../common/odata-error.dto';
import { rawQuery } from '../../common/service-root';
import {
  GRAPH_NAMESPACE,
  managedTenantOperation,
  managedTenantOperationRow,
  qualifiedName,
} from '../../edm/model';
import { EntityKeyPipe } from '../../entity-sets/entity-key.pipe';
import { EntityResponder } from '../../entity-sets/entity-set.responder';
import { negotiateCollection, odataJsonContentType } from '../../odata/format';
import { parseQueryOptions } from '../../odata/query/query-options';
import { ExportFormat, fileChunks } from '../../odata/tabular';
import { RunRow, RunTable, RunTableService } from './run-table.service';

const SET = managedTenantOperation.entitySetName;
const NAMES = ['rows', `${GRAPH_NAMESPACE}.rows`];
/** Rows written in one chunk of the answer. */
const ROWS_PER_CHUNK = 200;

/**
 * `GET …/{id}/rows` (the latest finished run) and `GET …/{id}/runs({n})/rows`: every row of
 * every tenant of a run as JSON, CSV or NDJSON, streamed tenant by tenant. Rows are untyped (each
 * statement's own), so the CSV's columns are `_TenantId`, `_TenantDisplayName`, then the union of
 * the rows' top-level names in the order first seen: the rows are read once for the columns and
 * once to be written, never held.
 */
@ApiTags(SET)
@ApiExtraModels(ODataErrorResponse)
@ApiResponse({ status: 400, description: 'Invalid request', type: ODataErrorResponse })
@ApiResponse({ status: 404, description: 'No such operation or run', type: ODataErrorResponse })
@Controller(`beta/${SET}/:id`)
export class RunTableController {
  constructor(
    private readonly tables: RunTableService,
    private readonly responder: EntityResponder,
  ) {}

  @Get([...NAMES, ...NAMES.map((name) => `runs/:run/${name}`)])
  @RequirePermission('read')
  @ApiOperation({
    summary: "A run's rows as a table (every tenant's, not capped by the aggregation)",
    description:
      '`…/{id}/rows` reads the latest finished run, `…/{id}/runs({n})/rows` run n. Each row has `_TenantId`, `_TenantDisplayName` and `_RunNumber` first. `Accept: text/csv` or `$format=csv` for a CSV file, `application/x-ndjson` or `$format=ndjson` for NDJSON.',
  })
  @ApiParam({ name: 'id', description: "The managedTenantOperation's id (a GUID)." })
  @ApiQuery({ name: '$format', required: false, enum: ['json', 'csv', 'ndjson'] })
  @ApiProduces('application/json', 'text/csv', 'application/x-ndjson')
  @ApiOkResponse({ description: 'The rows: `{ "value": [ … ] }`, or a CSV or NDJSON file' })
  async rows(
    @CurrentCaller() caller: Caller,
    @Param('id', EntityKeyPipe) id: string,
    @Param('run') run: string | undefined,
    @Req() request: FastifyRequest,
  ): Promise<StreamableFile> {
    const format = parseQueryOptions(rawQuery(request), new Set(['format'])).system.get('format');
    const answer = negotiateCollection(request.headers.accept, format);
    const table = await this.tables.table(
      caller,
      id,
      run === undefined ? undefined : runNumberOf(run),
    );
    if ('file' in answer) {
      return downloadAnswer(
        fileLines(table, answer.file),
        answer.file,
        `${table.operationName} run ${table.runNumber}`,
      );
    }
    const context = `${this.responder.serviceRoot(request)}/$metadata#Collection(${qualifiedName(managedTenantOperationRow)})`;
    return streamedAnswer(
      jsonChunks(table, answer.level === 'none' ? undefined : context),
      odataJsonContentType(answer.level),
    );
  }
}

function runNumberOf(text: string): number {
  const run = Number(text);
  if (!/^[0-9]{1,9}$/.test(text) || run < 1) {
    throw new InvalidRequestError(`'${text}' is not a run number (a whole number from 1).`);
  }
  return run;
}

async function* fileLines(table: RunTable, format: ExportFormat): AsyncGenerator<string> {
  // The CSV's columns are known once every row has been seen: a first pass collects their names.
  const names = new Set(['_TenantId', '_TenantDisplayName']);
  if (format === 'csv') {
    for await (const row of table.rows()) {
      for (const name of Object.keys(row)) if (name !== '_RunNumber') names.add(name);
    }
  }
  yield* fileChunks(table.rows(), format, [...names], (row: RunRow) => row, ROWS_PER_CHUNK);
}

async function* jsonChunks(table: RunTable, context: string | undefined): AsyncGenerator<string> {
  yield `{${context === undefined ? '' : `"@odata.context":${JSON.stringify(context)},`}"value":[`;
  let first = true;
  let chunk = '';
  let count = 0;
  for await (const row of table.rows()) {
    chunk += `${first ? '' : ','}${JSON.stringify(row)}`;
    first = false;
    if (++count % ROWS_PER_CHUNK === 0) {
      yield chunk;
      chunk = '';
    }
  }
  yield `${chunk}]}`;
}
