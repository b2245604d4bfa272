import { FastifyRequest } from 'fastify';
import { isIP } from 'node:net';

function isLoopback(address: string | undefined): boolean {
  if (!address || !isIP(address.replace(/^::ffff:/, ''))) return false;
  const plain = address.replace(/^::ffff:/, '');
  return plain === '::1' || /^127\./.test(plain);
}

/**
 * A request from this machine: its connection comes from a loopback address, the client address
 * Fastify trusts is one too, and no proxy says it forwarded it (a reverse proxy on the same
 * machine would otherwise make every remote caller look local).
 */
export function isLocalRequest(request: FastifyRequest): boolean {
  return (
    isLoopback(request.socket.remoteAddress) &&
    isLoopback(request.ip) &&
    request.headers['x-forwarded-for'] === undefined &&
    request.headers.forwarded === undefined
  );
}
