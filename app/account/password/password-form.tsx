"use client";

import { useActionState } from "react";
import { changePasswordAction, type PasswordState } from "./actions";

const field = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 shadow-sm focus:border-amber-500 focus:outline-none focus:ring-1 focus:ring-amber-500";

export function PasswordForm() {
  const [state, action, pending] = useActionState<PasswordState, FormData>(changePasswordAction, { error: null });
  return (
    <form action={action} className="space-y-4" noValidate>
      {[
        ["currentPassword", "Current password", "current-password"],
        ["newPassword", "New password (at least 12 characters)", "new-password"],
        ["confirmPassword", "New password again", "new-password"],
      ].map(([name, label, autoComplete]) => (
        <div key={name}>
          <label htmlFor={name} className="block text-sm font-medium text-slate-700">
            {label}
          </label>
          <input id={name} name={name} type="password" autoComplete={autoComplete} required className={field} />
        </div>
      ))}
      {state.error && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          {state.error}
        </p>
      )}
      <button type="submit" disabled={pending} className="w-full rounded-md bg-slate-900 px-4 py-2 font-medium text-white hover:bg-slate-700 disabled:opacity-60">
        {pending ? "Saving…" : "Save new password"}
      </button>
    </form>
  );
}
