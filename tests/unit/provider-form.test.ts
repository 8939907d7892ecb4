import { describe, expect, it } from "vitest";
import { emptyProviderForm, providerBody, providerFormFrom } from "@/lib/console/provider-form";
import { CreateProviderInput, UpdateProviderInput } from "@/lib/providers/schemas";

describe("the provider connection dialog's request bodies", () => {
  it("creates with the key and every named header", () => {
    const form = { ...emptyProviderForm(), name: "OpenAI", baseUrl: "https://api.openai.com/v1", apiKey: "sk-1", headers: [{ name: " OpenAI-Organization ", value: "org-1", stored: false, removed: false }, { name: "", value: "x", stored: false, removed: false }] };
    const body = providerBody(form, false);
    expect(body).toEqual({ name: "OpenAI", baseUrl: "https://api.openai.com/v1", apiKey: "sk-1", headers: { "OpenAI-Organization": "org-1" } });
    expect(CreateProviderInput.safeParse(body).success).toBe(true);
  });

  it("on edit keeps a blank key and blank stored header values, sends new ones and removes as null", () => {
    const form = providerFormFrom({ name: "OpenAI", baseUrl: "https://api.openai.com/v1", headerNames: ["X-Keep", "X-Change", "X-Drop"] });
    expect(form.apiKey).toBe("");
    form.headers[1].value = "new-value";
    form.headers[2].removed = true;
    form.headers.push({ name: "X-New", value: "v", stored: false, removed: false });
    const body = providerBody(form, true);
    expect(body).toEqual({ name: "OpenAI", baseUrl: "https://api.openai.com/v1", headers: { "X-Change": "new-value", "X-Drop": null, "X-New": "v" } });
    expect(UpdateProviderInput.safeParse(body).success).toBe(true);
  });

  it("on edit with nothing secret changed sends neither key nor headers", () => {
    const body = providerBody(providerFormFrom({ name: "a", baseUrl: "https://x.example/v1", headerNames: ["X-Keep"] }), true);
    expect(body).toEqual({ name: "a", baseUrl: "https://x.example/v1" });
  });
});
