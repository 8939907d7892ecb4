"use server";

import { AuthError, CredentialsSignin } from "next-auth";
import { headers } from "next/headers";
import { signIn } from "@/lib/auth/config";
import { loginThrottle, throttleMessage } from "@/lib/auth/login-throttle";
import { CLIENT_IP_HEADER } from "@/lib/server/client-address";
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
    if (error instanceof CredentialsSignin && error.code === "too_many_attempts") {
      const verdict = loginThrottle().check(email, (await headers()).get(CLIENT_IP_HEADER) ?? "unknown");
      return { error: verdict.allowed ? "Too many failed sign-ins; try again shortly." : throttleMessage(verdict), email };
    }
    if (error instanceof AuthError) {
      return {
        error: error.type === "CredentialsSignin" ? "Wrong e-mail or password." : "Signing in failed; try again.",
        email,
      };
    }
    throw error;
  }
}
