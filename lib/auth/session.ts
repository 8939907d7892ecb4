import { redirect } from "next/navigation";
import { cache } from "react";
import { getPrisma } from "../db/client";
import { auth } from "./config";
import { findUserById } from "./repo";
import type { Role } from "./scopes";

export interface ConsoleUser {
  id: string;
  email: string;
  role: Role;
}

/**
 * The signed-in user as the database has them now (role changes and disabling apply at once),
 * or null: no session, or a session that has ended (next-auth's jwt callback checks it, see
 * lib/auth/sessions.ts), or one of a user since disabled or deleted. Read once per request.
 */
export const findSignedInUser = cache(async () => {
  const session = await auth();
  if (!session?.user?.id) return null;
  const user = await findUserById(await getPrisma(), session.user.id);
  return user && !user.disabledAt ? user : null;
});

/** As findSignedInUser, or a redirect to the login page. */
export async function requireSignedIn() {
  const user = await findSignedInUser();
  if (!user) redirect("/login");
  return user;
}

/**
 * For console pages and layouts: as requireSignedIn, and a user still holding a generated
 * one-time password is sent to choose a new one first.
 */
export async function requireUser(): Promise<ConsoleUser> {
  const user = await requireSignedIn();
  if (user.mustChangePassword) redirect("/account/password");
  return { id: user.id, email: user.email, role: user.role };
}
