import { z } from "zod";
import { API_KEY_SCOPES, ROLES } from "./scopes";
import { MIN_PASSWORD_LENGTH } from "./passwords";

export const EmailSchema = z
  .string()
  .trim()
  .max(254, "must be at most 254 characters")
  .email("must be an e-mail address")
  .transform((s) => s.toLowerCase());

export const CreateUserInput = z.object({
  email: EmailSchema,
  role: z.enum(ROLES, { message: `must be one of ${ROLES.join(", ")}` }),
  name: z.string().trim().min(1).max(100).optional(),
  password: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(200, "must be at most 200 characters")
    .optional(),
});
export type CreateUserInput = z.infer<typeof CreateUserInput>;

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

export const CreateApiKeyInput = z.object({
  name: z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters"),
  scopes: z
    .array(z.enum(API_KEY_SCOPES, { message: `must be one of ${API_KEY_SCOPES.join(", ")}` }))
    .min(1, "must name at least one scope")
    .transform((s) => [...new Set(s)]),
}).strict();
export type CreateApiKeyInput = z.infer<typeof CreateApiKeyInput>;

export const ApiKeyDto = z.object({
  id: z.string(),
  name: z.string(),
  selector: z.string(),
  scopes: z.array(z.enum(API_KEY_SCOPES)),
  createdAt: z.date(),
  lastUsedAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
});
export type ApiKeyDto = z.infer<typeof ApiKeyDto>;

export const UserDto = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: z.enum(ROLES),
  mustChangePassword: z.boolean(),
  createdAt: z.date(),
});
export type UserDto = z.infer<typeof UserDto>;
