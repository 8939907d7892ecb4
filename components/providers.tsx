"use client";

import "./zod-in-browser"; // first: before any module builds a zod schema
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { createContext, useContext, useState, type ReactNode } from "react";
import { hasScope, type Role, type Scope } from "@/lib/auth/scopes";
import { ApiError } from "@/lib/query/api";

export interface Viewer {
  id: string;
  email: string;
  role: Role;
  scopes: readonly Scope[];
}

const ViewerContext = createContext<Viewer | null>(null);

/** The signed-in user, as the console layout read it from the database for this page. */
export function useViewer(): Viewer {
  const viewer = useContext(ViewerContext);
  if (!viewer) throw new Error("useViewer outside ConsoleProviders");
  return viewer;
}

/** Whether the UI should offer an action: a hint only — the server checks the same scope. */
export function useCan(scope: Scope): boolean {
  return hasScope(useViewer().scopes, scope);
}

export function ConsoleProviders({ viewer, children }: { viewer: Viewer; children: ReactNode }) {
  const router = useRouter();
  // A 401 means the session ended (expired, signed out elsewhere, user disabled): sign in again.
  const onError = (error: unknown) => {
    if (error instanceof ApiError && error.status === 401) router.push(`/login?callbackUrl=${encodeURIComponent(window.location.pathname)}`);
  };
  const [client] = useState(
    () =>
      new QueryClient({
        queryCache: new QueryCache({ onError }),
        mutationCache: new MutationCache({ onError }),
        defaultOptions: {
          queries: {
            staleTime: 2_000,
            // A 4xx will not get better by asking again; network trouble and 5xx might.
            retry: (count, error) => count < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
          },
        },
      }),
  );
  return (
    <QueryClientProvider client={client}>
      <ViewerContext.Provider value={viewer}>{children}</ViewerContext.Provider>
    </QueryClientProvider>
  );
}
