import { APP_CONFIG } from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';
import { lookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP } from 'node:net';
import type { NotificationsAppConfig } from '../notifications.config';

/** What an attempt got: a status, or the error that left it without one. */
export interface SendResult {
  status?: number;
  /** The first KB of the answer, kept with the attempt. */
  response?: string;
  retryAfterSeconds?: number;
  error?: string;
  latencyMs: number;
}

export const RESPONSE_KEPT_BYTES = 1024;

/** Private, loopback, link-local and other non-public ranges a partner URL may not reach. */
function refusedRanges(allowLoopback: boolean): BlockList {
  const list = new BlockList();
  for (const [net, prefix] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ] as const) {
    list.addSubnet(net, prefix, 'ipv4');
  }
  for (const [net, prefix] of [
    ['::', 128],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
  ] as const) {
    list.addSubnet(net, prefix, 'ipv6');
  }
  if (!allowLoopback) {
    list.addSubnet('127.0.0.0', 8, 'ipv4');
    list.addAddress('::1', 'ipv6');
  }

  return list;
}

/** Refused address: the message names the host and the address it resolved to. */
export class RefusedAddressError extends Error {}

/**
 * POSTs a signed delivery. The address is checked when the socket connects, after DNS
 * resolution (a `lookup` that refuses private answers), so a name that resolves to an internal
 * address, or is changed to one between a check and the request, never reaches it.
 */
@Injectable()
export class WebhookSender {
  private readonly refused: BlockList;

  constructor(@Inject(APP_CONFIG) private readonly config: NotificationsAppConfig) {
    this.refused = refusedRanges(config.notifications.webhooks.allowLoopback);
  }

  isRefused(address: string): boolean {
    const family = isIP(address);
    if (family === 0) {
      return true;
    }
    // An IPv4-mapped IPv6 address is checked as the IPv4 address it is.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];

    return mapped
      ? this.refused.check(mapped, 'ipv4')
      : this.refused.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }

  send(url: string, headers: Record<string, string>, body: string): Promise<SendResult> {
    const target = new URL(url);
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const guardedLookup: RequestOptions['lookup'] = (hostname, options, callback) => {
      lookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
        if (error) {
          return callback(error, '', 0);
        }
        const bad = addresses.find((a) => this.isRefused(a.address));
        if (bad) {
          return callback(
            new RefusedAddressError(`${hostname} resolves to ${bad.address}, a non-public address`),
            '',
            0,
          );
        }
        const chosen = addresses[0]!;
        // Node asks for all addresses (autoSelectFamily) or for one.
        if ((options as { all?: boolean }).all) {
          (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        } else {
          callback(null, chosen.address, chosen.family);
        }
      });
    };
    // A literal address skips lookup: check it here.
    const literal = target.hostname.replace(/^\[|\]$/g, '');
    if (isIP(literal) && this.isRefused(literal)) {
      return Promise.resolve({ error: `${literal} is a non-public address`, latencyMs: 0 });
    }

    return new Promise((resolve) => {
      const request = (target.protocol === 'https:' ? httpsRequest : httpRequest)(
        target,
        {
          method: 'POST',
          headers: {
            ...headers,
            'content-type': 'application/json',
            'user-agent': 'Bourse-Webhooks/1',
          },
          lookup: guardedLookup,
          timeout: this.config.notifications.webhooks.timeoutMs,
        },
        (response) => {
          const chunks: Buffer[] = [];
          let kept = 0;
          response.on('data', (chunk: Buffer) => {
            if (kept < RESPONSE_KEPT_BYTES) {
              chunks.push(chunk);
              kept += chunk.length;
            }
          });
          response.on('end', () => {
            const retryAfter = Number(response.headers['retry-after']);
            resolve({
              status: response.statusCode,
              response: Buffer.concat(chunks).subarray(0, RESPONSE_KEPT_BYTES).toString('utf8'),
              retryAfterSeconds:
                Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined,
              latencyMs: elapsed(),
            });
          });
          response.on('error', (error) => resolve({ error: error.message, latencyMs: elapsed() }));
        },
      );
      request.on('timeout', () => request.destroy(new Error('timed out')));
      request.on('error', (error) => resolve({ error: error.message, latencyMs: elapsed() }));
      request.end(body);
    });
  }
}
