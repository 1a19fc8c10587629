import { BlockList, isIPv4 } from 'node:net';

/** `TRUST_PROXY` as the platform parses it (Fastify's `trustProxy` semantics). */
export type TrustProxy = boolean | number | string[];

// proxy-addr's named ranges, which TRUST_PROXY accepts beside addresses and CIDRs.
const NAMED_RANGES: Record<string, string[]> = {
  loopback: ['127.0.0.1/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) compares as `10.0.0.1`. */
const normalize = (address: string): string => {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);

  return mapped ? mapped[1]! : address;
};

function trustedList(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries.flatMap((e) => NAMED_RANGES[e] ?? [e])) {
    const [address = '', prefix] = entry.split('/');
    const type = isIPv4(address) ? 'ipv4' : 'ipv6';
    if (prefix === undefined) {
      list.addAddress(address, type);
    } else {
      list.addSubnet(address, Number(prefix), type);
    }
  }

  return list;
}

/**
 * Socket.IO does not apply Fastify's trustProxy, so the client address of a handshake is worked
 * out here the way Fastify (proxy-addr) does for HTTP: walk from the peer back through
 * `X-Forwarded-For` while the hop is trusted, and take the first untrusted address.
 */
export function clientAddressResolver(
  trust: TrustProxy,
): (peer: string, forwardedFor: string | string[] | undefined) => string {
  if (trust === false || trust === 0) {
    return (peer) => normalize(peer);
  }
  const isTrusted: (address: string, hop: number) => boolean =
    trust === true
      ? () => true
      : typeof trust === 'number'
        ? (_address, hop) => hop < trust
        : (
            (list) => (address: string) =>
              list.check(address, isIPv4(address) ? 'ipv4' : 'ipv6')
          )(trustedList(trust));

  return (peer, forwardedFor) => {
    const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? '');
    const hops = [
      peer,
      ...header
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean)
        .reverse(),
    ].map(normalize);
    let i = 0;
    while (i < hops.length - 1 && isTrusted(hops[i]!, i)) {
      i++;
    }

    return hops[i]!;
  };
}
