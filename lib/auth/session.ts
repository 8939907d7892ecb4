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
 * For console pages and layouts: the signed-in user as the database has them now (role changes
 * and disabling apply at once), or a redirect — to the login page, or to choose a new password
 * while the user still holds a generated one-time password. Read once per request.
 */
export const requireUser = cache(async (): Promise<ConsoleUser> => {
  const session = await auth();
  if (!session?.user?.id) redirect("/login");
  const user = await findUserById(await getPrisma(), session.user.id);
  if (!user || user.disabledAt) redirect("/login");
  if (user.mustChangePassword) redirect("/account/password");
  return { id: user.id, email: user.email, role: user.role };
});
