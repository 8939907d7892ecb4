import { describe, expect, it } from "vitest";
import { PASSWORD_LABELS } from "@/app/account/password/fields";
import { ChangePasswordInput, CreateApiKeyInput, UpdateUserInput } from "@/lib/auth/schemas";
import { CANARY_LABELS, canaryLabels, canaryRequestBody, defaultCanaryForm } from "@/lib/console/canary-form";
import { versionRequestBody } from "@/lib/console/version-body";
import { EMPTY_VERSION_FORM } from "@/lib/console/version-form";
import { VERSION_LABELS, versionLabels } from "@/lib/console/version-labels";
import { AppError, ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { errorSentence, fieldLabel, plainMessage, problemSentence } from "@/lib/query/error-text";
import { StartRolloutInput } from "@/lib/release/rollout-schemas";
import { CreateVersionInput } from "@/lib/release/version-schemas";
import { parseInput } from "@/lib/validation";

// The server's messages in the words of the form that sent the request: each case parses a body
// with the server's own schema, so the messages are the ones the API answers.

/** The ValidationError the API answers for `input`. */
function refusal(schema: Parameters<typeof parseInput>[0], input: unknown): AppError {
  try {
    parseInput(schema, input);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("the schema accepted the input");
}

describe("errorSentence", () => {
  it("says the password form's labels, not its API names (the issue's case)", () => {
    const error = refusal(ChangePasswordInput, { currentPassword: "", newPassword: "my own passphrase 1" });
    expect(error.message).toBe("The `currentPassword` field must not be empty.");
    expect(errorSentence(error, PASSWORD_LABELS)).toBe("Current password must not be empty.");
  });

  it("counts the other problems as the server does", () => {
    const error = refusal(ChangePasswordInput, { currentPassword: "", newPassword: "short" });
    expect(errorSentence(error, PASSWORD_LABELS)).toBe("Current password must not be empty (and 1 more problem).");
    expect(error.details!.map((d) => problemSentence(d, PASSWORD_LABELS))).toEqual([
      "Current password must not be empty.",
      "New password must be at least 12 characters.",
    ]);
  });

  it("numbers list items from 1 through a pattern's placeholders", () => {
    const form = defaultCanaryForm("ver_1");
    form.stages = [
      { percent: "50", minutes: "1", minSamples: "10" },
      { percent: "20", minutes: "1", minSamples: "10" },
    ];
    const error = refusal(StartRolloutInput, canaryRequestBody(form, 0));
    expect(errorSentence(error, CANARY_LABELS)).toBe("Stage 2 percent must be greater than the previous stage's percent (and 1 more problem).");
    expect(problemSentence(error.details![1], CANARY_LABELS)).toBe("Stage 2 percent must be 100 in the last stage.");
  });

  it("names a guardrail by the label its field shows, from the registry", () => {
    const form = defaultCanaryForm("ver_1");
    form.thresholds.maxErrorRate = "lots";
    const error = refusal(StartRolloutInput, canaryRequestBody(form, 0));
    expect(errorSentence(error, CANARY_LABELS)).toBe("Max error rate must be a number.");
  });

  it("maps backticked field names in a message and quotes the values", () => {
    const roles = refusal(UpdateUserInput, {});
    expect(errorSentence(roles, { role: "Role", name: "Name", disabled: "Disabled" })).toBe("The request body must contain at least one of Role, Name, Disabled.");
    expect(plainMessage("names no config (`support-chat`)")).toBe('names no config ("support-chat")');
    const admin = refusal(CreateApiKeyInput, { name: "ci", scopes: ["admin"], configs: ["a"] });
    expect(errorSentence(admin, { name: "Name", scopes: "Scopes", configs: "Configs" })).toBe(
      'Configs must be left out for a key with the "admin" scope, which reaches every config through the admin API.',
    );
  });

  it("keeps other errors' words, with their names mapped", () => {
    expect(errorSentence(new ConflictError("The config `support-chat` changed since you loaded it."), {})).toBe('The config "support-chat" changed since you loaded it.');
    const notFound = new NotFoundError("The `configs.0` field names no config.", [{ path: "configs.0", message: "names no config (`x`)" }]);
    expect(errorSentence(notFound, { "configs.*": "Config {1}" })).toBe("Config 1 names no config.");
    expect(errorSentence(new ValidationError("The `currentPassword` field is not your current password.", [{ path: "currentPassword", message: "is not your current password" }]), PASSWORD_LABELS)).toBe(
      "Current password is not your current password.",
    );
  });

  it("never shows a backtick or an API name, even for a field the form does not label", () => {
    const error = refusal(StartRolloutInput, { canaryVersionId: "" });
    const sentence = errorSentence(error, {});
    expect(sentence).toBe("Canary version id must name a version id.");
    expect(sentence).not.toMatch(/`|canaryVersionId/);
  });
});

describe("fieldLabel", () => {
  it("uses the nearest labelled part, then the rest in words", () => {
    expect(fieldLabel("tools.0.parameters.properties.email", VERSION_LABELS)).toBe("Tool 1 parameters properties email");
    expect(fieldLabel("retrievalStrategy.params.boost", VERSION_LABELS)).toBe("Retrieval strategy params boost");
    expect(fieldLabel("thresholds.scores.groundedness.value", canaryLabels([{ key: "groundedness", label: "Groundedness" }]))).toBe("Groundedness (groundedness) value");
  });

  it("puts a pattern's non-index segments in as they are", () => {
    expect(fieldLabel("thresholds.scores.valid_json", { "thresholds.scores.*": "Score {1}" })).toBe("Score valid_json");
  });
});

describe("the console forms label every field they send", () => {
  it("the start-canary dialog", () => {
    const body = canaryRequestBody(defaultCanaryForm("ver_1"), 0);
    for (const key of Object.keys(body).filter((k) => k !== "revision")) expect(CANARY_LABELS[key], key).toBeDefined();
    for (const key of Object.keys(body.thresholds).filter((k) => k !== "scores")) expect(CANARY_LABELS[`thresholds.${key}`], key).toBeDefined();
  });

  it("the version editor, the variables by name", () => {
    const result = versionRequestBody(EMPTY_VERSION_FORM, "ver_parent");
    if (!result.ok) throw new Error("the empty form is sendable");
    for (const key of Object.keys(result.body)) expect(VERSION_LABELS[key], key).toBeDefined();
    const form = { ...EMPTY_VERSION_FORM, model: "m", messages: [{ key: "m1", role: "user" as const, content: "Hi {{name}}", name: "" }], variables: [{ name: "name", default: "x".repeat(20_000), description: "", sample: "" }] };
    const sent = versionRequestBody(form, null);
    if (!sent.ok) throw new Error("sendable");
    const error = refusal(CreateVersionInput, sent.body);
    expect(errorSentence(error, versionLabels(sent.sent))).toMatch(/^Default of name must be at most \d+ characters\.$/);
  });

  it("the password form", () => {
    for (const key of Object.keys(ChangePasswordInput.shape)) expect(PASSWORD_LABELS[key], key).toBeDefined();
  });
});
