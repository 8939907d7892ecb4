import { describe, expect, it } from "vitest";
import { readEnv } from "@/lib/env";
import { classifyAddress, inRange, parseIp, parseRange, type AddressClass } from "@/lib/outbound/address";
import { judgeAddress, parseTarget, policyFromRanges } from "@/lib/outbound/policy";

// The address classifier and the policy's judgement, pure: every spelling of a non-public host is
// refused, public addresses pass, and LLM_CANARY_ALLOW_PRIVATE_NETWORKS opens exactly what it lists.

const STRICT = policyFromRanges([]);

/** The setting as lib/env reads it from an environment holding only this variable (or nothing). */
const allowSetting = (value?: string) =>
  readEnv((value === undefined ? {} : { LLM_CANARY_ALLOW_PRIVATE_NETWORKS: value }) as NodeJS.ProcessEnv).LLM_CANARY_ALLOW_PRIVATE_NETWORKS;

/** The host a URL names, judged by a policy; the refusal's reason, or "allowed". */
function verdict(host: string, policy = STRICT): string {
  const target = parseTarget(`http://${host}/hook`);
  if ("reason" in target) return target.reason;
  if (!("ip" in target.host)) return `name ${target.host.name}`;
  return judgeAddress(policy, target.host.ip, target.host)?.reason ?? "allowed";
}

describe("address classes", () => {
  const table: [string, AddressClass][] = [
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["10.0.0.1", "private"],
    ["10.255.255.255", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.1", "public"],
    ["172.15.255.255", "public"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "private"],
    ["100.127.255.255", "private"],
    ["100.128.0.1", "public"],
    ["169.254.169.254", "link_local"],
    ["169.254.0.1", "link_local"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "reserved"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["240.0.0.1", "reserved"],
    ["192.0.2.10", "reserved"],
    ["198.18.0.1", "reserved"],
    ["8.8.8.8", "public"],
    ["93.184.216.34", "public"],
    ["::1", "loopback"],
    ["0:0:0:0:0:0:0:1", "loopback"],
    ["::", "unspecified"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:10.1.2.3", "private"],
    ["::ffff:169.254.169.254", "link_local"],
    ["::ffff:8.8.8.8", "public"],
    ["::ffff:0:127.0.0.1", "loopback"],
    ["::127.0.0.1", "reserved"],
    ["64:ff9b::127.0.0.1", "loopback"],
    ["64:ff9b::8.8.8.8", "public"],
    ["2002:7f00:1::", "loopback"],
    ["2002:0808:0808::1", "public"],
    ["fe80::1", "link_local"],
    ["fe80::1%eth0", "link_local"],
    ["febf::1", "link_local"],
    ["fc00::1", "unique_local"],
    ["fd12:3456::1", "unique_local"],
    ["fec0::1", "private"],
    ["ff02::1", "multicast"],
    ["2001:db8::1", "reserved"],
    ["2001:0:4136:e378::1", "reserved"],
    ["2606:4700:4700::1111", "public"],
    ["2a00:1450:4001:80b::200e", "public"],
    ["4000::1", "reserved"],
  ];
  it.each(table)("%s is %s", (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  const notAddresses = ["localhost", "127.1", "0x7f.0.0.1", "0177.0.0.1", "2130706433", "1.2.3", "1.2.3.4.5", "256.0.0.1"];
  notAddresses.push("01.2.3.4", ":::1", "1::2::3", "12345::", "g::1", "::1.2.3", "1.2.3.4::", "");
  it.each(notAddresses)(
    "%j is no address (odd spellings are the URL parser's to rewrite, never guessed at)",
    (text) => {
      expect(parseIp(text)).toBeNull();
    },
  );
});

describe("ranges", () => {
  it("parses addresses and CIDR ranges, and refuses malformed ones", () => {
    expect(parseRange("10.0.0.0/8")).toEqual({ version: 4, base: 0x0a000000n, prefix: 8 });
    expect(parseRange("10.1.2.3")).toMatchObject({ version: 4, prefix: 32 });
    expect(parseRange("10.1.2.3/8")).toEqual({ version: 4, base: 0x0a000000n, prefix: 8 });
    expect(parseRange("fd00::/8")).toMatchObject({ version: 6, prefix: 8 });
    for (const bad of ["10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/8/8", "fe80::1%eth0/64", "nope"]) {
      expect(parseRange(bad)).toBeNull();
    }
  });

  it("matches by version and prefix", () => {
    const net = parseRange("192.168.0.0/16")!;
    expect(inRange(parseIp("192.168.200.1")!, net)).toBe(true);
    expect(inRange(parseIp("192.169.0.1")!, net)).toBe(false);
    expect(inRange(parseIp("::ffff:192.168.0.1")!, net)).toBe(false); // the policy unmaps first
    expect(inRange(parseIp("8.8.8.8")!, parseRange("0.0.0.0/0")!)).toBe(true);
  });
});

describe("the policy", () => {
  // Every spelling the security review listed, and the other non-public kinds, as URL hosts.
  const refused: [string, string][] = [
    ["127.0.0.1", "loopback"],
    ["127.1", "loopback"],
    ["2130706433", "loopback"],
    ["0x7f.1", "loopback"],
    ["0177.0.0.1", "loopback"],
    ["0x7f000001", "loopback"],
    ["127.0.0.1.", "loopback"],
    ["0.0.0.0", "unspecified"],
    ["0", "unspecified"],
    ["[::1]", "loopback"],
    ["[0:0::1]", "loopback"],
    ["[::ffff:127.0.0.1]", "loopback"],
    ["[::ffff:7f00:1]", "loopback"],
    ["[::]", "unspecified"],
    ["169.254.169.254", "link_local"],
    ["[fe80::1]", "link_local"],
    ["10.0.0.1", "private"],
    ["172.16.0.1", "private"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "private"],
    ["[fc00::1]", "unique_local"],
    ["[fd00::abcd]", "unique_local"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["user:pass@127.0.0.1", "loopback"],
    ["example.com@127.0.0.1", "loopback"],
  ];
  it.each(refused)("refuses http://%s/ as %s", (host, reason) => {
    expect(verdict(host)).toBe(reason);
  });

  it("allows public addresses, and leaves names to resolution", () => {
    expect(verdict("8.8.8.8")).toBe("allowed");
    expect(verdict("[2606:4700:4700::1111]")).toBe("allowed");
    expect(verdict("hooks.slack.com")).toBe("name hooks.slack.com");
    expect(verdict("LOCALHOST.")).toBe("name localhost");
  });

  it("refuses other schemes and what is no URL", () => {
    expect(parseTarget("ftp://8.8.8.8/x")).toMatchObject({ reason: "scheme" });
    expect(parseTarget("file:///etc/passwd")).toMatchObject({ reason: "scheme" });
    expect(parseTarget("gopher://127.0.0.1:6379/_INFO")).toMatchObject({ reason: "scheme" });
    expect(parseTarget("http://[fe80::1%25eth0]/")).toMatchObject({ reason: "invalid" });
    expect(parseTarget("not a url")).toMatchObject({ reason: "invalid" });
  });

  it("names the host as written and the class, and how to allow it, but never a name's addresses", () => {
    expect(judgeAddress(STRICT, "127.0.0.1", { ip: "127.0.0.1" })?.message).toBe(
      "must point at a public address; 127.0.0.1 is a loopback address (an operator can allow it with LLM_CANARY_ALLOW_PRIVATE_NETWORKS)",
    );
    const named = judgeAddress(STRICT, "10.9.8.7", { name: "intranet.example" })?.message;
    expect(named).toBe(
      "must point at a public address; intranet.example resolves to a private-network address " +
        "(an operator can allow it with LLM_CANARY_ALLOW_PRIVATE_NETWORKS)",
    );
    expect(named).not.toContain("10.9.8.7");
  });

  it("allows exactly the ranges LLM_CANARY_ALLOW_PRIVATE_NETWORKS lists", () => {
    const relay = policyFromRanges(allowSetting("10.20.0.0/16, 127.0.0.2"));
    expect(verdict("10.20.3.4", relay)).toBe("allowed");
    expect(verdict("10.21.0.1", relay)).toBe("private");
    expect(verdict("127.0.0.2", relay)).toBe("allowed");
    expect(verdict("[::ffff:127.0.0.2]", relay)).toBe("allowed"); // the same address, mapped
    expect(verdict("127.0.0.1", relay)).toBe("loopback");
    const all = policyFromRanges(allowSetting("true"));
    for (const host of ["127.1", "[::1]", "169.254.169.254", "[fc00::1]"]) expect(verdict(host, all)).toBe("allowed");
    expect(allowSetting()).toEqual([]);
    expect(allowSetting("false")).toEqual([]);
  });

  it.each(["yes", "10.0.0.0/33", "127.1", "fe80::1%eth0", "10.0.0.0/8,intranet"])("refuses the setting %j at start", (value) => {
    expect(() => allowSetting(value)).toThrow(/LLM_CANARY_ALLOW_PRIVATE_NETWORKS: must be true, false or addresses/);
  });
});
