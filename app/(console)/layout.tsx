import Link from "next/link";
import type { ReactNode } from "react";
import { signOut } from "@/lib/auth/config";
import { requireUser } from "@/lib/auth/session";
import { CanaryMark } from "@/components/canary-mark";

export const dynamic = "force-dynamic";

async function signOutAction() {
  "use server";
  await signOut({ redirectTo: "/login" });
}

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl items-center justify-between px-6 py-3">
          <nav aria-label="Main" className="flex items-center gap-6">
            <Link href="/" className="flex items-center gap-2 font-semibold">
              <CanaryMark className="h-6 w-6" />
              LLM Canary
            </Link>
            <Link href="/" className="text-sm text-slate-600 hover:text-slate-900">
              Configs
            </Link>
          </nav>
          <div className="flex items-center gap-4 text-sm">
            <span className="text-slate-600">
              <span className="font-medium text-slate-900">{user.email}</span> · {user.role}
            </span>
            <Link href="/account/password" className="text-slate-600 hover:text-slate-900">
              Password
            </Link>
            <form action={signOutAction}>
              <button type="submit" className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-100">
                Sign out
              </button>
            </form>
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-6xl px-6 py-8">{children}</main>
    </div>
  );
}
