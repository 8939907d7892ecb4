"use client";

import { useActionState } from "react";
import { ActionForm } from "@/components/ui/action-form";
import { changePasswordAction, type PasswordState } from "./actions";
import { PASSWORD_FIELDS } from "./fields";

const field = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 shadow-sm focus:border-amber-500 focus:outline-none focus:ring-1 focus:ring-amber-500";

export function PasswordForm({ minLength }: { minLength: number }) {
  const [state, action, pending] = useActionState<PasswordState, FormData>(changePasswordAction, { error: null });
  return (
    <ActionForm action={action} className="space-y-4">
      {PASSWORD_FIELDS.map(({ name, label, autoComplete }) => (
        <div key={name}>
          <label htmlFor={name} className="block text-sm font-medium text-slate-700">
            {label}
          </label>
          <input
            id={name}
            name={name}
            type="password"
            autoComplete={autoComplete}
            required
            aria-describedby={name === "newPassword" ? "newPassword-hint" : undefined}
            className={field}
          />
          {name === "newPassword" && (
            <p id="newPassword-hint" className="mt-1 text-xs text-slate-600">
              At least {minLength} characters.
            </p>
          )}
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
    </ActionForm>
  );
}
