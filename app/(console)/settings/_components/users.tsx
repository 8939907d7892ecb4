"use client";

import { FormActions } from "@/components/ui/form-actions";
import { DataTable } from "@/components/ui/data-table";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useViewer } from "@/components/providers";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Field, INPUT_CLASS } from "@/components/ui/field";
import { Form } from "@/components/ui/form";
import { FormError } from "@/components/ui/form-error";
import { QueryState } from "@/components/ui/query-state";
import { Time } from "@/components/ui/time";
import { ROLES, type Role } from "@/lib/auth/scopes";
import { errorMessage, fieldError } from "@/lib/query/api";
import { settingsApi, settingsKeys, settingsQueries, type UserWire } from "@/lib/query/settings";
import { OneTimeSecret } from "./one-time-secret";
import { SettingsSection } from "./settings-section";

/** The new-user form's labels by API path: shown on the fields and in the server's messages. */
const LABELS = { email: "E-mail", name: "Name (optional)", role: "Role" } as const;

const ROLE_HINTS: Record<Role, string> = {
  viewer: "reads everything, changes nothing",
  editor: "writes versions and starts canaries",
  operator: "promotes, rolls back, pauses; manages alerts",
  admin: "everything, including users and API keys",
};

export function Users() {
  const users = useQuery(settingsQueries.users());
  const [creating, setCreating] = useState(false);
  return (
    <SettingsSection title="Users and roles" actionLabel="Add user" onAction={() => setCreating(true)}>
      <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700">
        {ROLES.map((r) => (
          <li key={r}>
            <strong>{r}</strong>: {ROLE_HINTS[r]}
          </li>
        ))}
      </ul>
      <QueryState query={users} label="users" minHeight="h-24">
        {() => (
          <DataTable minWidth="min-w-[640px]" columns={["User", "Role", "Last sign-in", "State"]}>
            {users.data!.map((u) => (
              <UserRow key={u.id} user={u} />
            ))}
          </DataTable>
        )}
      </QueryState>
      {creating && <CreateUserDialog onClose={() => setCreating(false)} />}
    </SettingsSection>
  );
}

function UserRow({ user }: { user: UserWire }) {
  const viewer = useViewer();
  const queryClient = useQueryClient();
  const self = user.id === viewer.id;
  const update = useMutation({
    mutationFn: (body: { role?: Role; disabled?: boolean }) => settingsApi.updateUser(user.id, body),
    onSettled: () => queryClient.invalidateQueries({ queryKey: settingsKeys.users }),
  });
  return (
    <tr className="border-t border-slate-200 align-top">
      <td className="px-4 py-2">
        <div className="font-medium">{user.email}</div>
        {user.name && <div className="text-xs text-slate-600">{user.name}</div>}
        {update.error && (
          <p role="alert" className="mt-1 text-xs text-red-800">
            {errorMessage(update.error)}
          </p>
        )}
      </td>
      <td className="px-4 py-2">
        <select
          aria-label={`Role of ${user.email}`}
          value={user.role}
          disabled={self || update.isPending}
          title={self ? "Another admin changes your role" : undefined}
          onChange={(e) => {
            const role = e.target.value as Role;
            if (window.confirm(`Make ${user.email} ${role === "admin" || role === "operator" ? "an" : "a"} ${role}?`)) update.mutate({ role });
          }}
          className={INPUT_CLASS}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </td>
      <td className="px-4 py-2">{user.lastLoginAt ? <Time value={user.lastLoginAt} /> : <span className="text-slate-600">never</span>}</td>
      <td className="px-4 py-2">
        <span className="flex flex-wrap items-center gap-2">
          {user.disabledAt ? <Badge tone="gray">disabled</Badge> : user.mustChangePassword ? <Badge tone="amber">must set a password</Badge> : <Badge tone="green">active</Badge>}
          {!self && (
            <Button
              variant={user.disabledAt ? "secondary" : "danger"}
              disabled={update.isPending}
              onClick={() => {
                const disabled = !user.disabledAt;
                if (window.confirm(disabled ? `Disable ${user.email}? They are signed out at once and cannot sign in.` : `Enable ${user.email} again?`)) update.mutate({ disabled });
              }}
            >
              {user.disabledAt ? "Enable" : "Disable"}
            </Button>
          )}
        </span>
      </td>
    </tr>
  );
}

function CreateUserDialog({ onClose }: { onClose: () => void }) {
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: () => settingsApi.createUser({ email, role, ...(name.trim() ? { name } : {}) }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: settingsKeys.users }),
  });
  const created = create.data;
  return (
    <Dialog open onClose={onClose} title={created ? "User added" : "Add user"}>
      {created ? (
        <OneTimeSecret label="One-time password" secret={created.generatedPassword ?? ""} onDone={onClose}>
          {created.user.email} can sign in with this one-time password and will choose their own at once. It is not shown again.
        </OneTimeSecret>
      ) : (
        <Form onSubmit={() => create.mutate()}>
          <Field label={LABELS.email} error={fieldError(create.error, "email", LABELS)}>
            {(props) => <input {...props} type="email" value={email} onChange={(e) => setEmail(e.target.value)} required className={INPUT_CLASS} autoFocus />}
          </Field>
          <Field label={LABELS.name} error={fieldError(create.error, "name", LABELS)}>
            {(props) => <input {...props} value={name} onChange={(e) => setName(e.target.value)} className={INPUT_CLASS} />}
          </Field>
          <Field label={LABELS.role} hint={ROLE_HINTS[role]} error={fieldError(create.error, "role", LABELS)}>
            {(props) => (
              <select {...props} value={role} onChange={(e) => setRole(e.target.value as Role)} className={INPUT_CLASS}>
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <FormError error={create.error} labels={LABELS} />
          <FormActions onCancel={onClose} pending={create.isPending} label="Add user" pendingLabel="Adding…" />
        </Form>
      )}
    </Dialog>
  );
}
