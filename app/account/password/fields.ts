// The password form's fields: the names the action reads (the API's, ChangePasswordInput, plus the
// confirmation) and the labels the person sees. The server's messages name fields by these
// labels (lib/query/error-text.ts), so they are declared once, here.

export const PASSWORD_FIELDS = [
  { name: "currentPassword", label: "Current password", autoComplete: "current-password" },
  { name: "newPassword", label: "New password", autoComplete: "new-password" },
  { name: "confirmPassword", label: "New password again", autoComplete: "new-password" },
] as const;

export const PASSWORD_LABELS: Readonly<Record<string, string>> = Object.fromEntries(PASSWORD_FIELDS.map((f) => [f.name, f.label]));
