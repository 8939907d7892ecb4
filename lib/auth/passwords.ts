import bcrypt from "bcryptjs";
import { randomToken } from "../ids";

// bcrypt is deliberately slow for passwords (not for API keys, which are long random secrets).
const COST = 12;

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, COST);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}

// Compared against when the e-mail is unknown, so both cases take the same time.
const DUMMY_HASH = bcrypt.hashSync("llm-canary-timing-equalizer", COST);
export function burnPasswordCheck(password: string): Promise<boolean> {
  return bcrypt.compare(password, DUMMY_HASH);
}

export function generatePassword(): string {
  return randomToken(20);
}

export const MIN_PASSWORD_LENGTH = 12;
