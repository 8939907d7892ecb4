import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { clientAddress } from "@/lib/client-address";

const request = (forwardedFor: string | string[] | undefined, remoteAddress = "10.0.0.2") =>
  ({ headers: forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor }, socket: { remoteAddress } }) as unknown as IncomingMessage;

describe("the client's address", () => {
  it("is the connection's unless a proxy is trusted, whatever the client sends", () => {
    expect(clientAddress(request("203.0.113.9"), false)).toBe("10.0.0.2");
  });

  it("behind a trusted proxy is the hop the proxy added, not one the client wrote", () => {
    // The client sent `X-Forwarded-For: 1.2.3.4`; the proxy appended the address it saw.
    expect(clientAddress(request("1.2.3.4, 198.51.100.7"), true)).toBe("198.51.100.7");
    expect(clientAddress(request(["1.2.3.4", "198.51.100.7"]), true)).toBe("198.51.100.7");
    expect(clientAddress(request("198.51.100.7"), true)).toBe("198.51.100.7");
  });

  it("falls back to the connection when the trusted proxy sent no address", () => {
    expect(clientAddress(request(undefined), true)).toBe("10.0.0.2");
    expect(clientAddress(request(" , "), true)).toBe("10.0.0.2");
  });
});
