import { createUser, listUsers } from "@/lib/auth/user-service";
import { route } from "@/lib/http/route";

export const GET = route({ scope: "users:manage" }, ({ db }) => listUsers(db));

// A generated password is in the response once and never again.
export const POST = route({ scope: "users:manage", status: 201 }, ({ db, actor, body }) => createUser(db, actor, body));
