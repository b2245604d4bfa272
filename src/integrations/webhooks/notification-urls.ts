import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { InvalidRequestError } from '../../common/errors';

/**
 * Where the service may send notifications: https only, and never to a
 * private, loopback, link-local or otherwise internal address (the instance metadata service at
 * 169.254.169.254, a database on 10.0.0.1, the service itself on [::1]), whether the URL names
 * the address or a DNS name that resolves to it. Hosts listed in NOTIFICATION_ALLOWED_HTTP_HOSTS
 * may be called over http and may be internal (local development and tests).
 *
 * Addresses are checked when a subscription is made (a clear 400) and again at every connection
 * (the lookup of the webhook client), so that a name that resolved to a public address then
 * cannot be re-pointed at an internal one (DNS rebinding).
 */
const INTERNAL = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  INTERNAL.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) {
  INTERNAL.addSubnet(network, prefix, 'ipv6');
}

/** Whether an IP address is internal (IPv4-mapped IPv6 addresses as their IPv4 address). */
export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return INTERNAL.check(mapped[1], 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return INTERNAL.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class NotificationUrlPolicy {
  private readonly allowed: ReadonlySet<string>;

  constructor(allowedHttpHosts: readonly string[]) {
    this.allowed = new Set(allowedHttpHosts.map((host) => host.toLowerCase()));
  }

  /** Whether a host (as in a URL, IPv6 without brackets) is one the configuration lists. */
  isListed(host: string): boolean {
    return this.allowed.has(host.toLowerCase().replace(/^\[(.*)\]$/, '$1'));
  }

  /** The URL, parsed, if a notification may go there; else a 400 saying why (`property` names it). */
  async check(text: string, property: string): Promise<URL> {
    const url = this.checkSyntax(text, property);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (this.isListed(host) || isIP(host) !== 0) return url;
    let addresses: LookupAddress[];
    try {
      addresses = await new Promise<LookupAddress[]>((resolve, reject) =>
        dnsLookup(host, { all: true }, (error, found) => (error ? reject(error) : resolve(found))),
      );
    } catch (error) {
      throw new InvalidRequestError(
        `The ${property} host '${host}' could not be resolved (${(error as NodeJS.ErrnoException).code ?? 'lookup failed'}).`,
      );
    }
    const internal = addresses.find(({ address }) => isInternalAddress(address));
    if (internal) {
      throw new InvalidRequestError(
        `The ${property} host '${host}' resolves to ${internal.address}, a private, loopback or link-local address; notifications are not sent there.`,
      );
    }
    return url;
  }

  /** The checks that need no DNS: scheme, credentials, and an address written in the URL. */
  checkSyntax(text: string, property: string): URL {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new InvalidRequestError(`The ${property} '${text}' is not an absolute URL.`);
    }
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const listed = this.isListed(host);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && listed)) {
      throw new InvalidRequestError(
        `The ${property} must be an https URL (http only for the hosts in NOTIFICATION_ALLOWED_HTTP_HOSTS), not '${url.protocol}//${url.host}'.`,
      );
    }
    if (url.username || url.password) {
      throw new InvalidRequestError(`The ${property} must not carry credentials.`);
    }
    if (!listed && isIP(host) !== 0 && isInternalAddress(host)) {
      throw new InvalidRequestError(
        `The ${property} host ${host} is a private, loopback or link-local address; notifications are not sent there.`,
      );
    }
    return url;
  }

  /**
   * A `lookup` for outbound connections that refuses internal addresses of hosts not listed:
   * the same rule as `check`, applied to the address actually connected to.
   */
  readonly lookup = (
    hostname: string,
    options: { all?: boolean; family?: number },
    callback: (
      error: NodeJS.ErrnoException | null,
      address: string | LookupAddress[],
      family?: number,
    ) => void,
  ): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      if (!this.isListed(hostname)) {
        const internal = addresses.find(({ address }) => isInternalAddress(address));
        if (internal) {
          const refused: NodeJS.ErrnoException = new Error(
            `${hostname} resolves to ${internal.address}, an address notifications are not sent to`,
          );
          refused.code = 'EADDRNOTALLOWED';
          return callback(refused, []);
        }
      }
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}
