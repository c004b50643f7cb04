import { isIPv6 } from 'node:net';

/** The eight 16-bit groups of an IPv6 address, `::` expanded (an embedded IPv4 tail counts as two). */
function groups(address: string): string[] {
  const [head, tail] = address.includes('::') ? address.split('::') : [address, null];
  const part = (s: string): string[] => (s === '' ? [] : s.split(':').flatMap((g) => (g.includes('.') ? ['v4', 'v4'] : [g])));
  const left = part(head);
  if (tail === null) return left;
  const right = part(tail);
  return [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
}

/**
 * Who a connection comes from, for the per-client limits: an IPv4 address as it is (also
 * when mapped into IPv6), an IPv6 address by its /64 (one host is commonly given a whole
 * /64, so counting single addresses would limit nothing).
 */
export function clientKey(address: string | undefined): string {
  if (address === undefined) return '';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped !== null) return mapped[1];
  if (!isIPv6(address)) return address;
  const g = groups(address.replace(/%.*$/, ''));
  return `${g
    .slice(0, 4)
    .map((x) => Number.parseInt(x, 16).toString(16))
    .join(':')}::/64`;
}
