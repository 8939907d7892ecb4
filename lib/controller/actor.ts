import type { Actor } from "../auth/actor";

/** Who the controller's actions are by, in the audit log and in alerts. */
export const CONTROLLER: Actor = { type: "controller", id: null, label: "controller", scopes: [] };
