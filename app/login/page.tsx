import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { safeReturnPath } from "@/lib/auth/return-path";
import { findSignedInUser } from "@/lib/auth/session";
import { CanaryMark } from "@/components/canary-mark";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  // Asks the database, not only the cookie: a disabled user's still-valid cookie would otherwise
  // bounce between here and the console, which sends them back to this page.
  if (await findSignedInUser()) redirect("/");
  const { callbackUrl } = await searchParams;
  const returnTo = safeReturnPath(callbackUrl);
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
        <div className="mb-6 flex items-center gap-2">
          <CanaryMark />
          <h1 className="text-xl font-semibold">Sign in to LLM Canary</h1>
        </div>
        <LoginForm returnTo={returnTo} />
      </div>
    </main>
  );
}
