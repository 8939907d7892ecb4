import type { Metadata } from "next";
import { CanaryMark } from "@/components/canary-mark";
import { MIN_PASSWORD_LENGTH } from "@/lib/auth/passwords";
import { requireSignedIn } from "@/lib/auth/session";
import { PasswordForm } from "./password-form";

export const metadata: Metadata = { title: "Choose a password" };
export const dynamic = "force-dynamic";

// Outside the console layout on purpose: the console sends users with a one-time password here.
export default async function PasswordPage() {
  const user = await requireSignedIn();
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
        <div className="mb-2 flex items-center gap-2">
          <CanaryMark />
          <h1 className="text-xl font-semibold">Choose a password</h1>
        </div>
        <p className="mb-6 text-sm text-slate-600">
          {user.mustChangePassword
            ? `${user.email} signed in with a one-time password. Choose your own to continue.`
            : `Change the password of ${user.email}.`}
        </p>
        <PasswordForm minLength={MIN_PASSWORD_LENGTH} />
      </div>
    </main>
  );
}
