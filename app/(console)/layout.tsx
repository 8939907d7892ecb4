import Link from "next/link";
import type { ReactNode } from "react";
import { signOut } from "@/lib/auth/config";
import { hasScope, scopesForRole, type Scope } from "@/lib/auth/scopes";
import { requireUser } from "@/lib/auth/session";
import { CanaryMark } from "@/components/canary-mark";
import { ConsoleProviders } from "@/components/providers";

export const dynamic = "force-dynamic";

async function signOutAction() {
  "use server";
  await signOut({ redirectTo: "/login" });
}

const SETTINGS_SCOPES: Scope[] = ["users:manage", "api-keys:manage", "alerts:manage", "prices:manage"];
const NAV_LINK = "rounded px-1 text-sm text-slate-700 hover:text-slate-950 focus-visible:outline-2 focus-visible:outline-blue-600";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  const scopes = scopesForRole(user.role);
  const seesSettings = SETTINGS_SCOPES.some((scope) => hasScope(scopes, scope));
  return (
    <ConsoleProviders viewer={{ ...user, scopes }}>
      <div className="min-h-screen">
        <header className="border-b border-slate-200 bg-white">
          <div className="mx-auto flex max-w-7xl flex-wrap items-center justify-between gap-x-6 gap-y-2 px-4 py-3 sm:px-6">
            <nav aria-label="Main" className="flex flex-wrap items-center gap-x-5 gap-y-1">
              <Link href="/" className="flex items-center gap-2 font-semibold">
                <CanaryMark className="h-6 w-6" />
                LLM Canary
              </Link>
              <Link href="/" className={NAV_LINK}>
                Configs
              </Link>
              <Link href="/audit" className={NAV_LINK}>
                Audit log
              </Link>
              {seesSettings && (
                <Link href="/settings" className={NAV_LINK}>
                  Settings
                </Link>
              )}
            </nav>
            <div className="flex flex-wrap items-center gap-x-4 gap-y-1 text-sm">
              <span className="text-slate-700">
                <span className="font-medium text-slate-900">{user.email}</span> · {user.role}
              </span>
              <Link href="/account/password" className={NAV_LINK}>
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
        <main className="mx-auto max-w-7xl px-4 py-6 sm:px-6">{children}</main>
      </div>
    </ConsoleProviders>
  );
}
