import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import {
  ClientRequestError,
  InvalidRequestError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  ResourceNotFoundError,
  ServiceError,
  UnsupportedMediaTypeError,
} from './errors';
import { databaseUnavailable } from '../database/database-unavailable';
import { clientRequestId } from './http-conventions';

/** The Microsoft Graph error body. */
export interface ODataErrorBody {
  error: {
    code: string;
    message: string;
    innerError: { date: string; 'request-id': string; 'client-request-id': string };
  };
}

const METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * Every error becomes a Graph error body with the right status. Client mistakes that Fastify or
 * NestJS detect before our code runs (bad JSON, wrong media type, too large, no route) arrive here
 * as HttpExceptions and are mapped by status; anything else is a 500 whose details stay in the log.
 */
@Catch()
export class ODataExceptionFilter implements ExceptionFilter {
  constructor(private readonly fastify: FastifyInstance) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const clientError = this.toServiceError(exception, request);
    if (!clientError) {
      // The stack goes to the log (the request's logger adds its requestId), never to the client.
      request.log.error(
        { err: exception instanceof Error ? exception : new Error(String(exception)) },
        `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]} failed`,
      );
    }
    // A full disk, a read-only file or a lock held too long is the storage's condition, not a
    // fault of ours: 503 with Retry-After (logged above, as an operator must act on it).
    const error = clientError ?? databaseUnavailable(exception);
    const status = error?.status ?? 500;
    const body: ODataErrorBody = {
      error: {
        code: error?.code ?? 'generalException',
        message:
          error?.message ?? 'An unexpected error occurred. Quote the request-id when reporting it.',
        innerError: {
          date: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
          'request-id': request.id,
          'client-request-id': clientRequestId(request),
        },
      },
    };
    reply
      .status(status)
      .headers(error?.headers ?? {})
      .type('application/json')
      .send(body);
  }

  private toServiceError(exception: unknown, request: FastifyRequest): ServiceError | undefined {
    if (exception instanceof ServiceError) return exception;
    if (!(exception instanceof HttpException)) return undefined;
    switch (exception.getStatus()) {
      case 400:
        return new InvalidRequestError(
          exception.message.includes('JSON')
            ? `The request body is not valid JSON: ${exception.message}`
            : `The request is malformed: ${exception.message}`,
        );
      case 404:
        return this.routeNotFound(request);
      case 413:
        return new PayloadTooLargeError('The request body is larger than the limit of 1 MiB.');
      case 415:
        return new UnsupportedMediaTypeError(
          `The request body must be application/json, not '${request.headers['content-type'] ?? 'none'}'.`,
        );
      default:
        return exception.getStatus() < 500
          ? new ClientRequestError(exception.getStatus(), exception.message)
          : undefined;
    }
  }

  /** 405 when the path exists for other methods (RFC 9110 §15.5.6, with Allow), else 404. */
  private routeNotFound(request: FastifyRequest): ServiceError {
    const path = request.url.split('?')[0];
    const allowed = METHODS.filter((method) => this.fastify.findRoute({ method, url: path }));
    return allowed.length > 0
      ? new MethodNotAllowedError(request.method, path, allowed)
      : new ResourceNotFoundError(request.method, path);
  }
}
