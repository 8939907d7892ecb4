import { describe, expect, it } from "vitest";
import { headerList } from "../../lib/hot/http";

describe("headerList", () => {
  it("flattens header groups in order, as writeHead takes them", () => {
    expect(headerList({ "content-type": "application/json", "x-a": "1" }, { "x-b": "2" })).toEqual(["content-type", "application/json", "x-a", "1", "x-b", "2"]);
  });

  it("lets a later group replace an earlier group's header of the same name, in its place, as an object spread would", () => {
    const groups = [{ "cache-control": "no-store", "x-a": "1" }, undefined, { "x-b": "2", "cache-control": "private" }] as const;
    const list = headerList(...groups);
    expect(list).toEqual(["cache-control", "private", "x-a", "1", "x-b", "2"]);
    expect(Object.fromEntries(pairs(list))).toEqual({ ...groups[0], ...groups[2] });
  });

  it("gives an empty list for no headers", () => {
    expect(headerList(undefined, {})).toEqual([]);
  });
});

function pairs(list: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < list.length; i += 2) out.push([list[i], list[i + 1]]);
  return out;
}
