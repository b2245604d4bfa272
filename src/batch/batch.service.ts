import { Injectable } from '@nestjs/common';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import injectRequest from 'light-my-request';
import {
  INNER_REQUEST_HEADER,
  INNER_REQUEST_MARK,
  OUTER_ORIGIN_HEADER,
} from '../common/inner-request';
import { SERVICE_ROOT_PATH } from '../common/service-root';
import { AtomicWork } from '../database/atomic-work';
import { BATCH_OWNED_HEADERS, BatchItem } from './batch-request';

/** What of the batch request its inner requests inherit. */
export interface OuterRequest {
  readonly headers: Record<string, string | string[] | undefined>;
  /** The scheme and host the batch was sent to (`requestOrigin`). */
  readonly origin: string;
}

export interface BatchResponse {
  readonly id: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}

/**
 * Headers of the batch request that every inner request carries (its credentials, its caller).
 * The scheme and host it was called by go as OUTER_ORIGIN_HEADER, already resolved.
 */
const INHERITED_HEADERS = ['authorization', 'client-request-id', 'host', 'accept-language'];
/** Headers that describe the transport of the inner response, not the response itself. */
const TRANSPORT_HEADERS = new Set([
  'connection',
  'keep-alive',
  'date',
  'content-length',
  'transfer-encoding',
]);

/**
 * Runs the requests of a JSON batch in order, each through the whole HTTP stack (routing,
 * validation, errors, and later authorization) as if sent alone. A request whose dependency
 * failed is not run and gets 424. The requests of an atomicity group run in one database
 * transaction while the group holds the write queue: if one fails, the group is rolled back and
 * its other requests answer 424.
 */
@Injectable()
export class BatchService {
  constructor(private readonly atomic: AtomicWork) {}

  /**
   * @param continueOnError false: stop after the first request (or atomicity group) that fails, as
   *   OData's default for a batch is (Protocol §8.2.8.3); the answer then holds the responses up
   *   to it. Microsoft Graph's JSON batches always go on.
   */
  async execute(
    fastify: FastifyInstance,
    items: readonly BatchItem[],
    outer: OuterRequest,
    { continueOnError = true }: { continueOnError?: boolean } = {},
  ): Promise<BatchResponse[]> {
    const responses = new Map<string, BatchResponse>();
    const failed = new Set<string>();
    for (let index = 0; index < items.length;) {
      const group = items[index].atomicityGroup;
      // The requests of a group are adjacent (parseBatch checks it).
      let end = index + 1;
      while (group !== undefined && end < items.length && items[end].atomicityGroup === group) {
        end += 1;
      }
      const members = items.slice(index, end);
      index += members.length;
      const results =
        group === undefined
          ? [await this.runOne(fastify, members[0], outer, failed)]
          : await this.runAtomically(fastify, group, members, outer, failed);
      for (const result of results) {
        responses.set(result.id, result);
        if (result.status >= 400) failed.add(result.id);
      }
      const unitFailed = results.some((result) => result.status >= 400);
      if (group !== undefined && unitFailed) failed.add(group);
      if (unitFailed && !continueOnError) break;
    }
    return items.flatMap((item) => responses.get(item.id) ?? []);
  }

  private async runAtomically(
    fastify: FastifyInstance,
    group: string,
    members: readonly BatchItem[],
    outer: OuterRequest,
    failed: Set<string>,
  ): Promise<BatchResponse[]> {
    let failure: BatchResponse | undefined;
    const results = await this.atomic.run(async () => {
      const answered: BatchResponse[] = [];
      for (const member of members) {
        if (failure) {
          answered.push(
            dependencyFailed(
              member,
              `the request '${failure.id}' of atomicity group '${group}' failed`,
            ),
          );
          continue;
        }
        const result = await this.runOne(fastify, member, outer, failed);
        answered.push(result);
        if (result.status >= 400) failure = result;
      }
      return { result: answered, commit: failure === undefined };
    });
    if (!failure) return results;
    // Nothing of the group was applied: its successful requests are reported as not done.
    const failedId = failure.id;
    return results.map((result) =>
      result === failure || result.status === 424
        ? result
        : dependencyFailed(
            result,
            `the request '${failedId}' of atomicity group '${group}' failed, so the group was rolled back`,
          ),
    );
  }

  private async runOne(
    fastify: FastifyInstance,
    item: BatchItem,
    outer: OuterRequest,
    failed: ReadonlySet<string>,
  ): Promise<BatchResponse> {
    const failedDependency = item.dependsOn.find((dependency) => failed.has(dependency));
    if (failedDependency)
      return dependencyFailed(item, `it depends on '${failedDependency}', which failed`);
    const owned = Object.keys(item.headers).find((name) => BATCH_OWNED_HEADERS.has(name));
    if (owned) return ownHeaderRefused(item, owned);
    const headers: Record<string, string> = {};
    for (const name of INHERITED_HEADERS) {
      const value = outer.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    Object.assign(headers, item.headers);
    const options: InjectOptions = {
      method: item.method as InjectOptions['method'],
      url: `${SERVICE_ROOT_PATH}/${item.url}`,
      headers,
    };
    if (item.body !== undefined) {
      options.payload = typeof item.body === 'string' ? item.body : JSON.stringify(item.body);
      headers['content-type'] ??= 'application/json';
    }
    headers[INNER_REQUEST_HEADER] = INNER_REQUEST_MARK;
    headers[OUTER_ORIGIN_HEADER] = outer.origin;
    // fastify.routing is what fastify.inject runs, minus inject's refusal once the server is
    // closing: a batch that was accepted finishes during a graceful shutdown.
    return toBatchResponse(item.id, await injectRequest(fastify.routing, options));
  }
}

function toBatchResponse(id: string, response: LightMyRequestResponse): BatchResponse {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (!TRANSPORT_HEADERS.has(name) && value !== undefined && name !== INNER_REQUEST_HEADER)
      headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  const contentType = headers['content-type'] ?? '';
  const body =
    response.body === ''
      ? undefined
      : /^application\/json/i.test(contentType)
        ? (response.json() as unknown)
        : response.body;
  return { id, status: response.statusCode, headers, ...(body === undefined ? {} : { body }) };
}

/** A request that brings a header the batch decides (who calls): 400, and it is not run. */
function ownHeaderRefused(item: { id: string }, header: string): BatchResponse {
  return notRun(
    item,
    400,
    'invalidRequest',
    `The request '${item.id}' was not run: it has a header '${header}' of its own, but every request of a batch runs with the batch's ${header}. Send it in a batch of its own.`,
  );
}

function dependencyFailed(item: { id: string }, reason: string): BatchResponse {
  return notRun(
    item,
    424,
    'failedDependency',
    `The request '${item.id}' was not applied: ${reason}.`,
  );
}

/** The answer of a request the batch did not run: an OData error of its own. */
function notRun(
  item: { id: string },
  status: number,
  code: string,
  message: string,
): BatchResponse {
  return {
    id: item.id,
    status,
    headers: { 'content-type': 'application/json' },
    body: {
      error: {
        code,
        message,
        innerError: { date: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') },
      },
    },
  };
}
