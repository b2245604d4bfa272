import { Controller, Get, Param, Req, Res, StreamableFile } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentCaller, RequirePermission } from '../../auth/auth.decorators';
import { Caller } from '../../auth/caller';
import { InvalidRequestError } from '../../common/errors';
import { downloadAnswer } from '../../common/streamed-answer';
import { ODataErrorResponse } from '../../common/odata-error.dto';
import { rawQuery } from '../../common/service-root';
import {
  GRAPH_NAMESPACE,
  managedTenantOperation,
  managedTenantOperationRunDifference,
  qualifiedName,
} from '../../edm/model';
import { BOUND_FUNCTIONS } from '../../edm/model-bound-operations';
import { buildComplexCollectionResponseDto } from '../../entity-sets/dto-classes';
import { EntityKeyPipe } from '../../entity-sets/entity-key.pipe';
import { EntityResponder } from '../../entity-sets/entity-set.responder';
import { negotiateCollection } from '../../odata/format';
import { ExportFormat, fileChunks } from '../../odata/tabular';
import { RunDifference } from './run-differences';
import { parsePrefer } from '../../odata/prefer';
import { ComparedRuns, RunComparisonService } from './run-comparison.service';

const SET = managedTenantOperation.entitySetName;
const FUNCTION = BOUND_FUNCTIONS.find((bound) => bound.name === 'compareRuns')!;
const NAMES = ['compareRuns', `${GRAPH_NAMESPACE}.compareRuns`];
const PARAMETER_NAMES = FUNCTION.parameters.map((parameter) => parameter.name);

/**
 * `GET …/{id}/compareRuns(baseRunNumber=N,runNumber=M)` (src/edm/model.ts, BOUND_FUNCTIONS):
 * the differences between two runs, a page at a time. The URL's parameters reach the route as
 * one segment (`compareRuns/baseRunNumber=1,runNumber=2`, see key-predicate.ts).
 */
@ApiTags(SET)
@ApiExtraModels(ODataErrorResponse)
@ApiResponse({ status: 400, description: 'Invalid request', type: ODataErrorResponse })
@ApiResponse({
  status: 404,
  description: 'No such managedTenantOperation, or no such run',
  type: ODataErrorResponse,
})
@Controller(`beta/${SET}/:id`)
export class RunComparisonController {
  constructor(
    private readonly comparisons: RunComparisonService,
    private readonly responder: EntityResponder,
  ) {}

  @Get([...NAMES, ...NAMES.map((name) => `${name}/:parameters`)])
  @RequirePermission('read')
  @ApiOperation({
    summary: 'Compare two runs of a managedTenantOperation',
    description: `${FUNCTION.description} Called as compareRuns(baseRunNumber=1,runNumber=2); both are optional.`,
  })
  @ApiParam({ name: 'id', description: "The managedTenantOperation's id (a GUID)." })
  @ApiParam({
    name: 'parameters',
    required: false,
    description: 'baseRunNumber=N,runNumber=M (either may be left out)',
  })
  @ApiQuery({
    name: '$filter',
    required: false,
    description:
      "On targetTenantId and changeType: eq, ne, in, and, or, not (e.g. changeType eq 'changed').",
  })
  @ApiQuery({ name: '$top', required: false, schema: { type: 'integer', minimum: 0 } })
  @ApiQuery({ name: '$count', required: false, schema: { type: 'boolean' } })
  @ApiQuery({ name: '$skiptoken', required: false, schema: { type: 'string' } })
  @ApiHeader({ name: 'Prefer', required: false, description: '`odata.maxpagesize=50`' })
  @ApiOkResponse({ type: buildComplexCollectionResponseDto(managedTenantOperationRunDifference) })
  @ApiProduces('application/json', 'text/csv', 'application/x-ndjson')
  @ApiQuery({ name: '$format', required: false, enum: ['json', 'csv', 'ndjson'] })
  async compare(
    @CurrentCaller() caller: Caller,
    @Param('id', EntityKeyPipe) id: string,
    @Param('parameters') parameters: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Record<string, unknown> | StreamableFile> {
    const { format, rest } = withoutFormat(rawQuery(request));
    const answer = negotiateCollection(request.headers.accept, format);
    if ('file' in answer) {
      const all = await this.comparisons.allDifferences(
        caller,
        id,
        readParameters(parameters),
        rest,
      );
      return downloadAnswer(
        differenceLines(all.pages, answer.file),
        answer.file,
        `compareRuns ${all.baseRunNumber} to ${all.runNumber}`,
      );
    }
    const level = answer.level;
    const maxPageSize = parsePrefer(request.headers.prefer).maxPageSize;
    const page = await this.comparisons.compare(
      caller,
      id,
      readParameters(parameters),
      rest,
      maxPageSize,
    );
    if (maxPageSize !== undefined) {
      reply.header('Preference-Applied', `odata.maxpagesize=${maxPageSize}`);
    }
    const path = `${SET}('${encodeURIComponent(id)}')/compareRuns(baseRunNumber=${page.baseRunNumber},runNumber=${page.runNumber})`;
    const root = this.responder.serviceRoot(request);
    return this.responder.json(reply, level, {
      ...(level === 'none'
        ? {}
        : {
            '@odata.context': `${root}/$metadata#Collection(${qualifiedName(managedTenantOperationRunDifference)})`,
          }),
      ...(page.count === undefined ? {} : { '@odata.count': page.count }),
      value: page.differences,
      ...(page.skipToken === undefined
        ? {}
        : { '@odata.nextLink': this.responder.nextLink(path, page.options, page.skipToken) }),
    });
  }
}

/** The query without `$format` (which `compareRuns` itself does not read), and its value. */
function withoutFormat(query: string): { format?: string; rest: string } {
  let format: string | undefined;
  const rest = query
    .split('&')
    .filter((pair) => {
      const [name, value = ''] = pair.split('=');
      if (decodeURIComponent(name) !== '$format') return true;
      format = decodeURIComponent(value);
      return false;
    })
    .join('&');
  return { format, rest };
}

const COLUMNS = Object.keys(managedTenantOperationRunDifference.properties);

/** Each difference of every page, the next page read when the last is taken. */
async function* differencesOf(
  pages: AsyncGenerator<RunDifference[]>,
): AsyncGenerator<RunDifference> {
  for await (const page of pages) yield* page;
}

/** The differences as CSV (the complex type's properties as columns) or NDJSON lines. */
function differenceLines(
  pages: AsyncGenerator<RunDifference[]>,
  format: ExportFormat,
): AsyncGenerator<string> {
  return fileChunks(
    differencesOf(pages),
    format,
    COLUMNS,
    (difference) => difference as unknown as Record<string, unknown>,
  );
}

/** `baseRunNumber=1,runNumber=2`: each a declared parameter, once, an Int32 (400 otherwise). */
function readParameters(text: string | undefined): ComparedRuns {
  const values: Record<string, number> = {};
  for (const pair of text ? text.split(',') : []) {
    const [name, value, ...rest] = pair.split('=').map((part) => part.trim());
    if (!PARAMETER_NAMES.includes(name) || rest.length > 0 || name in values) {
      throw new InvalidRequestError(
        `compareRuns takes ${PARAMETER_NAMES.join(' and ')}, each once ('${pair}' is not one).`,
      );
    }
    if (!/^[0-9]{1,9}$/.test(value ?? '')) {
      throw new InvalidRequestError(`compareRuns: ${name} must be a run number, not '${value}'.`);
    }
    values[name] = Number(value);
  }
  return { baseRunNumber: values.baseRunNumber, runNumber: values.runNumber };
}
