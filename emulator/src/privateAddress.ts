import { BlockList, isIP } from "net";
import { lookup } from "dns/promises";

/**
 * Addresses a cloud portal does not call by default: loopback, private networks, link-local
 * (and "this host"/unspecified). Node's BlockList does the subnet matching.
 */
const LOCAL_NETWORKS = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT, private in practice
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
] as const)
  LOCAL_NETWORKS.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
] as const)
  LOCAL_NETWORKS.addSubnet(net, prefix, "ipv6");

/** Whether an IP address (v4, v6 or v4-mapped v6) lies on a local network. */
export function isLocalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return LOCAL_NETWORKS.check(mapped[1], "ipv4");
  const family = isIP(address);
  if (family === 4) return LOCAL_NETWORKS.check(address, "ipv4");
  if (family === 6) return LOCAL_NETWORKS.check(address, "ipv6");
  return false;
}

/**
 * Whether a URL's host is, or resolves to, a local-network address. A name that does not resolve
 * is not local (the call then fails as unreachable, like any other).
 */
export async function isLocalEndpoint(url: string): Promise<boolean> {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  } catch {
    return false;
  }
  if (isIP(host)) return isLocalAddress(host);
  try {
    const addresses = await lookup(host, { all: true });
    return addresses.some((a) => isLocalAddress(a.address));
  } catch {
    return false;
  }
}
