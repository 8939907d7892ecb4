// What a console password must be, for the request schemas (lib/auth/schemas.ts) and the pages
// that state it. Pure: the schemas reach the browser, and lib/auth/passwords.ts (bcrypt, the
// environment) must not come with them.

export const MIN_PASSWORD_LENGTH = 12;
