"use server";

import { AuthError } from "next-auth";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { CLIENT_IP_HEADER } from "@/lib/client-address";
import { signIn } from "@/lib/auth/config";
import { requireSignedIn } from "@/lib/auth/session";
import { changePassword } from "@/lib/auth/user-service";
import { getPrisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { errorSentence } from "@/lib/query/error-text";
import { PASSWORD_LABELS } from "./fields";

export interface PasswordState {
  error: string | null;
}

export async function changePasswordAction(_previous: PasswordState, form: FormData): Promise<PasswordState> {
  const user = await requireSignedIn();
  const newPassword = String(form.get("newPassword") ?? "");
  if (newPassword !== String(form.get("confirmPassword") ?? "")) {
    return { error: `${PASSWORD_LABELS.newPassword} and ${PASSWORD_LABELS.confirmPassword} differ: type the same password in both.` };
  }
  try {
    const currentPassword = String(form.get("currentPassword") ?? "");
    const clientAddress = (await headers()).get(CLIENT_IP_HEADER) ?? "unknown";
    await changePassword(await getPrisma(), user.id, { currentPassword, newPassword }, clientAddress);
  } catch (error) {
    // The service's message names API fields (`currentPassword`): said with the form's labels.
    if (error instanceof AppError && error.status < 500) return { error: errorSentence(error, PASSWORD_LABELS) };
    throw error;
  }
  // The new password ended every session of this user, this one too: a new session, signed in
  // with the new password, replaces it (signIn redirects by throwing on success).
  try {
    await signIn("credentials", { email: user.email, password: newPassword, redirectTo: "/" });
  } catch (error) {
    if (error instanceof AuthError) redirect("/login");
    throw error;
  }
  return { error: null };
}
