"use client";

import { startTransition, type ReactNode } from "react";

/**
 * A form that posts to a server action and keeps what the person typed. React resets a form once
 * its action has run, so a refused submit would empty every field (the password form lost all
 * three, and the next submit sent an empty current password). Submitting runs the same action in
 * a transition from onSubmit instead, which React does not follow with a reset; without
 * JavaScript the form still posts to the action. noValidate: the action's messages say what is
 * wrong, in the form's own words.
 */
export function ActionForm({ action, className, children }: { action: (data: FormData) => void; className?: string; children: ReactNode }) {
  return (
    <form
      action={action}
      noValidate
      className={className}
      onSubmit={(event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget, (event.nativeEvent as SubmitEvent).submitter);
        startTransition(() => action(data));
      }}
    >
      {children}
    </form>
  );
}
