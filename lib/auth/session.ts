import { redirect } from "next/navigation";
import { auth } from "./config";
import type { Session } from "next-auth";

/** For console pages and layouts: the signed-in user, or a redirect to the login page. */
export async function requireUser(): Promise<Session["user"]> {
  const session = await auth();
  if (!session?.user?.id) redirect("/login");
  return session.user;
}
