"use server";

import { AuthError } from "next-auth";
import { signIn, TooManyAttempts } from "@/lib/auth/config";
import { throttleMessage } from "@/lib/auth/login-throttle";
import { safeReturnPath } from "@/lib/auth/return-path";

export interface LoginState {
  error: string | null;
  email: string;
}

export async function login(_previous: LoginState, form: FormData): Promise<LoginState> {
  const email = String(form.get("email") ?? "").trim();
  const password = String(form.get("password") ?? "");
  if (!email || !password) return { error: "Enter your e-mail and password.", email };
  try {
    await signIn("credentials", { email, password, redirectTo: safeReturnPath(form.get("returnTo")) });
    return { error: null, email };
  } catch (error) {
    // signIn redirects by throwing on success; only auth failures are answered here.
    // The refusal carries the verdict it was made on (lib/auth/config.ts authorize).
    if (error instanceof TooManyAttempts) return { error: throttleMessage(error.verdict), email };
    if (error instanceof AuthError) {
      return {
        error: error.type === "CredentialsSignin" ? "Wrong e-mail or password." : "Signing in failed; try again.",
        email,
      };
    }
    throw error;
  }
}
