"use server";

import { redirect } from "next/navigation";
import { requireSignedIn } from "@/lib/auth/session";
import { changePassword } from "@/lib/auth/user-service";
import { getPrisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";

export interface PasswordState {
  error: string | null;
}

export async function changePasswordAction(_previous: PasswordState, form: FormData): Promise<PasswordState> {
  const user = await requireSignedIn();
  const newPassword = String(form.get("newPassword") ?? "");
  if (newPassword !== String(form.get("confirmPassword") ?? "")) return { error: "The two new passwords differ." };
  try {
    await changePassword(await getPrisma(), user.id, {
      currentPassword: String(form.get("currentPassword") ?? ""),
      newPassword,
    });
  } catch (error) {
    if (error instanceof AppError && error.status < 500) return { error: error.message };
    throw error;
  }
  redirect("/");
}
