import { z } from "zod";
import { API_KEY_SCOPES, ROLES } from "./scopes";
import { MIN_PASSWORD_LENGTH } from "./password-rules";
import { CONFIG_KEY_PATTERN } from "../limits";

export const EmailSchema = z
  .string()
  .trim()
  .max(254, "must be at most 254 characters")
  .email("must be an e-mail address")
  .transform((s) => s.toLowerCase());

const RoleSchema = z.enum(ROLES, { message: `must be one of ${ROLES.join(", ")}` });
const UserNameSchema = z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters");

export const CreateUserInput = z
  .object({
    email: EmailSchema,
    role: RoleSchema,
    name: UserNameSchema.optional(),
    password: z
      .string()
      .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
      .max(200, "must be at most 200 characters")
      .optional(),
  })
  .strict();
export type CreateUserInput = z.infer<typeof CreateUserInput>;

/** An admin changes another user: any of the fields; `name: null` clears the name. */
export const UpdateUserInput = z
  .object({
    role: RoleSchema.optional(),
    name: UserNameSchema.nullable().optional(),
    disabled: z.boolean().optional(),
  })
  .strict()
  .refine((v) => v.role !== undefined || v.name !== undefined || v.disabled !== undefined, {
    message: "must contain at least one of `role`, `name`, `disabled`",
  });
export type UpdateUserInput = z.infer<typeof UpdateUserInput>;

export const ChangePasswordInput = z
  .object({
    currentPassword: z.string().min(1, "must not be empty").max(200, "must be at most 200 characters"),
    newPassword: z
      .string()
      .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
      .max(200, "must be at most 200 characters"),
  })
  .strict()
  .refine((v) => v.newPassword !== v.currentPassword, { path: ["newPassword"], message: "must differ from the current password" });

/** At most this many configs in one key's list. */
export const MAX_KEY_CONFIGS = 100;

export const CreateApiKeyInput = z
  .object({
    name: z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters"),
    scopes: z
      .array(z.enum(API_KEY_SCOPES, { message: `must be one of ${API_KEY_SCOPES.join(", ")}` }))
      .min(1, "must name at least one scope")
      .transform((s) => [...new Set(s)]),
    configs: z
      .array(z.string().regex(CONFIG_KEY_PATTERN, "must be a config key like support-chat"))
      .min(1, "must name at least one config; leave it out for a key that may use every config")
      .max(MAX_KEY_CONFIGS, `must name at most ${MAX_KEY_CONFIGS} configs`)
      .transform((c) => [...new Set(c)])
      .optional()
      .describe("client keys only: the config keys the key may route, read and report for (each must exist); left out: every config"),
  })
  .strict()
  .refine((v) => v.configs === undefined || !v.scopes.includes("admin"), {
    path: ["configs"],
    message: "must be left out for a key with the `admin` scope, which reaches every config through the admin API",
  });
export type CreateApiKeyInput = z.infer<typeof CreateApiKeyInput>;

export const ApiKeyDto = z.object({
  id: z.string(),
  name: z.string(),
  selector: z.string(),
  scopes: z.array(z.enum(API_KEY_SCOPES)),
  configs: z.array(z.string()).nullable().describe("the configs the key may use; null: every config"),
  createdBy: z
    .object({
      userId: z.string().nullable().describe("the user whose rights the key rests on; null for keys the CLI or the system made"),
      label: z.string().describe("who made it, as the audit log names them: an e-mail, `key:<name>`, `cli`"),
    })
    .describe("demoting or disabling that user revokes the key"),
  createdAt: z.date(),
  lastUsedAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
});
export type ApiKeyDto = z.infer<typeof ApiKeyDto>;

/** Who made a key, for the key lists: an e-mail, `key:<name>` for a key made with a key, `CLI`, or the system's name. */
export function keyCreatorText(createdBy: ApiKeyDto["createdBy"]): string {
  return createdBy.userId === null && createdBy.label === "cli" ? "CLI" : createdBy.label;
}

/** A key's configs for the key lists. */
export function keyConfigsText(configs: readonly string[] | null): string {
  return configs === null ? "all configs" : configs.join(", ");
}

export const UserDto = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: z.enum(ROLES),
  mustChangePassword: z.boolean(),
  createdAt: z.date(),
  lastLoginAt: z.date().nullable(),
  disabledAt: z.date().nullable().describe("set while the user is disabled: they cannot sign in and their sessions stop working"),
});
export type UserDto = z.infer<typeof UserDto>;
