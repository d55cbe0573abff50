import { BlockList, isIP } from "net";

/**
 * Why a cloud portal could not call this endpoint host, or undefined when it is a public address
 * or a public name. Decided from the text alone, never by resolving a name (preview works offline):
 * a name that resolves to a private address is the portal's business. Node's BlockList matches
 * IPv4-mapped IPv6 addresses (`[::ffff:127.0.0.1]`) against the IPv4 ranges too, and the WHATWG
 * URL parser has already turned `127.1`, `2130706433` and `0x7f.1` into `127.0.0.1`.
 */
export function privateHostReason(hostname: string): string | undefined {
  const host = hostname
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "")
    .toLowerCase();
  const version = isIP(host);
  if (version === 0) {
    if (host === "localhost" || host.endsWith(".localhost")) return "is a loopback name";
    const local = LOCAL_SUFFIXES.find((s) => host.endsWith(s));
    if (local) return `is a local-network name (*${local})`;
    return undefined;
  }
  const type = version === 6 ? "ipv6" : "ipv4";
  return RANGES.find((r) => r.list.check(host, type))?.reason;
}

/** Names reserved for one local network (mDNS, home networks): never reachable from a cloud. */
const LOCAL_SUFFIXES = [".local", ".home.arpa", ".internal"];

function ranges(reason: string, subnets: [string, number, "ipv4" | "ipv6"][]) {
  const list = new BlockList();
  for (const [net, prefix, type] of subnets) list.addSubnet(net, prefix, type);
  return { reason, list };
}

const RANGES = [
  ranges("is a loopback address", [
    ["127.0.0.0", 8, "ipv4"],
    ["::1", 128, "ipv6"],
  ]),
  ranges("is an unspecified address", [
    ["0.0.0.0", 8, "ipv4"],
    ["::", 128, "ipv6"],
  ]),
  ranges("is a private-network address", [
    ["10.0.0.0", 8, "ipv4"],
    ["172.16.0.0", 12, "ipv4"],
    ["192.168.0.0", 16, "ipv4"],
    ["fc00::", 7, "ipv6"],
  ]),
  // Carrier-grade NAT: shared by a provider's customers, not routed on the internet.
  ranges("is a shared (carrier-grade NAT) address", [["100.64.0.0", 10, "ipv4"]]),
  ranges("is a link-local address", [
    ["169.254.0.0", 16, "ipv4"],
    ["fe80::", 10, "ipv6"],
  ]),
];
