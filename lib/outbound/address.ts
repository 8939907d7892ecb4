// What kind of address an IP is, and whether it lies in a range. Pure: no I/O, no DNS.
//
// Input is an address as the WHATWG URL parser or the resolver writes it: IPv4 in dotted decimal
// (`new URL` has already turned `127.1`, `2130706433`, `0x7f.1` and `0177.0.0.1` into `127.0.0.1`),
// IPv6 in any RFC 4291 form, without brackets; a zone (`%eth0`) is ignored. Anything else is not
// an address here (null), so odd spellings are never guessed at: they are read by the same parser
// that decides where the connection goes.

export const ADDRESS_CLASSES = [
  "public",
  "loopback",
  "private",
  "link_local",
  "unique_local",
  "unspecified",
  "multicast",
  "broadcast",
  "reserved",
] as const;
export type AddressClass = (typeof ADDRESS_CLASSES)[number];

/** How a refusal names each class: "127.0.0.1 is a loopback address". */
export const ADDRESS_CLASS_NAMES: Record<AddressClass, string> = {
  public: "a public address",
  loopback: "a loopback address",
  private: "a private-network address",
  link_local: "a link-local address",
  unique_local: "a unique-local address",
  unspecified: "the unspecified address",
  multicast: "a multicast address",
  broadcast: "the broadcast address",
  reserved: "a reserved address",
};

export interface IpAddress {
  version: 4 | 6;
  /** The address as a 32-bit (IPv4) or 128-bit (IPv6) number. */
  value: bigint;
}

export interface IpRange {
  version: 4 | 6;
  base: bigint;
  prefix: number;
}

export function parseIp(text: string): IpAddress | null {
  const v4 = parseIpv4(text);
  if (v4 !== null) return { version: 4, value: v4 };
  const v6 = parseIpv6(text.replace(/%.*$/, ""));
  return v6 === null ? null : { version: 6, value: v6 };
}

/** Dotted decimal only, each part 0-255 without leading zeros. */
function parseIpv4(text: string): bigint | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return null;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseIpv6(text: string): bigint | null {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return null;
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (half: string): number[] | null => {
    if (half === "") return [];
    const out: number[] = [];
    const parts = half.split(":");
    for (const [index, part] of parts.entries()) {
      if (index === parts.length - 1 && part.includes(".")) {
        const v4 = parseIpv4(part);
        if (v4 === null) return null;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(part)) {
        out.push(parseInt(part, 16));
      } else {
        return null;
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (head === null || tail === null) return null;
  // An embedded IPv4 address may only end the address.
  if (halves.length === 2 && halves[0].includes(".")) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return all.reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}

/** `10.0.0.0/8`, `fd00::/8`, or one address (`10.1.2.3` is `10.1.2.3/32`). Null when malformed. */
export function parseRange(text: string): IpRange | null {
  const [address, prefixText, extra] = text.trim().split("/");
  if (extra !== undefined || address.includes("%")) return null;
  const ip = parseIp(address);
  if (!ip) return null;
  const bits = ip.version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) return null;
  return { version: ip.version, base: ip.value & mask(bits, prefix), prefix };
}

function mask(bits: number, prefix: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return all ^ ((1n << BigInt(bits - prefix)) - 1n);
}

export function inRange(ip: IpAddress, range: IpRange): boolean {
  if (ip.version !== range.version) return false;
  return (ip.value & mask(ip.version === 4 ? 32 : 128, range.prefix)) === range.base;
}

/**
 * The IPv4 address an IPv6 address stands for where the connection really goes to IPv4:
 * IPv4-mapped (`::ffff:a.b.c.d`, the kernel connects to a.b.c.d) and IPv4-translated
 * (`::ffff:0:a.b.c.d`). Other addresses as they are.
 */
export function unmapped(ip: IpAddress): IpAddress {
  if (ip.version === 6 && (ip.value >> 32n === 0xffffn || ip.value >> 32n === 0xffff0000n)) {
    return { version: 4, value: ip.value & 0xffffffffn };
  }
  return ip;
}

const range = (text: string): IpRange => parseRange(text)!;

// Most specific first: the first range that holds the address decides.
const V4_CLASSES: [IpRange, AddressClass][] = [
  [range("0.0.0.0/32"), "unspecified"],
  [range("0.0.0.0/8"), "reserved"], // "this network"
  [range("10.0.0.0/8"), "private"],
  [range("100.64.0.0/10"), "private"], // carrier-grade NAT, shared address space
  [range("127.0.0.0/8"), "loopback"],
  [range("169.254.0.0/16"), "link_local"], // includes 169.254.169.254, the cloud metadata service
  [range("172.16.0.0/12"), "private"],
  [range("192.0.0.0/24"), "reserved"], // IETF protocol assignments
  [range("192.0.2.0/24"), "reserved"], // documentation
  [range("192.88.99.0/24"), "reserved"], // 6to4 relay anycast, deprecated
  [range("192.168.0.0/16"), "private"],
  [range("198.18.0.0/15"), "reserved"], // benchmarking
  [range("198.51.100.0/24"), "reserved"], // documentation
  [range("203.0.113.0/24"), "reserved"], // documentation
  [range("224.0.0.0/4"), "multicast"],
  [range("255.255.255.255/32"), "broadcast"],
  [range("240.0.0.0/4"), "reserved"],
];

// IPv6 addresses that carry an IPv4 address whose class is theirs: NAT64 (the embedded address in
// the low 32 bits) and 6to4 (bits 16-47).
const NAT64 = range("64:ff9b::/96");
const SIX_TO_FOUR = range("2002::/16");

const V6_CLASSES: [IpRange, AddressClass][] = [
  [range("::/128"), "unspecified"],
  [range("::1/128"), "loopback"],
  [range("::/96"), "reserved"], // IPv4-compatible, deprecated
  [range("64:ff9b:1::/48"), "private"], // local-use NAT64
  [range("100::/64"), "reserved"], // discard-only
  [range("2001::/32"), "reserved"], // Teredo: the real endpoint is hidden in the address
  [range("2001:db8::/32"), "reserved"], // documentation
  [range("fc00::/7"), "unique_local"],
  [range("fe80::/10"), "link_local"],
  [range("fec0::/10"), "private"], // site-local, deprecated
  [range("ff00::/8"), "multicast"],
  [range("2000::/3"), "public"],
];

/** The class of an address (see parseIp for the accepted forms); null when `text` is no address. */
export function classifyAddress(text: string): AddressClass | null {
  const ip = parseIp(text);
  return ip ? classifyIp(ip) : null;
}

export function classifyIp(parsed: IpAddress): AddressClass {
  const ip = unmapped(parsed);
  if (ip.version === 4) return V4_CLASSES.find(([r]) => inRange(ip, r))?.[1] ?? "public";
  if (inRange(ip, NAT64)) return classifyIp({ version: 4, value: ip.value & 0xffffffffn });
  if (inRange(ip, SIX_TO_FOUR)) return classifyIp({ version: 4, value: (ip.value >> 80n) & 0xffffffffn });
  // Outside 2000::/3 nothing is allocated for global unicast.
  return V6_CLASSES.find(([r]) => inRange(ip, r))?.[1] ?? "reserved";
}
