// The app's own endpoints (JWT) and installation tokens.
import { newToken } from "../auth.ts";
import { excess } from "../permissions.ts";
import { appShape, installationShape, repositoryShape } from "../shapes/repo.ts";
import { timestamp, type TokenRecord } from "../state.ts";
import { body, json, notFound, paginate, repoOf, unprocessable, type RouteTable } from "./types.ts";

export const appRoutes: RouteTable = {
  "apps/get-authenticated": { auth: "app", handle: (_req, env) => json(200, appShape(env.ctx)) },

  "apps/get-installation": {
    auth: "app",
    handle: (req, env) => {
      const installation = env.ctx.state.installations.get(Number(req.params["installation_id"]));
      return installation ? json(200, installationShape(env.ctx, installation)) : notFound();
    },
  },

  "apps/get-repo-installation": {
    auth: "app",
    handle: (req, env) => {
      const repo = repoOf(req);
      const installation =
        repo.installationId === null ? undefined : env.ctx.state.installations.get(repo.installationId);
      return installation ? json(200, installationShape(env.ctx, installation)) : notFound();
    },
  },

  "apps/create-installation-access-token": {
    auth: "app",
    handle: (req, env) => {
      const { state } = env.ctx;
      const installation = state.installations.get(Number(req.params["installation_id"]));
      if (!installation) return notFound();
      const asked = body<{ repositories?: string[]; repository_ids?: number[]; permissions?: Record<string, string> }>(
        req,
      );
      const covered = [...state.repos.values()].filter((r) => r.installationId === installation.id);
      let repositories: Set<string> | null = null;
      if (asked.repositories || asked.repository_ids) {
        const chosen = covered.filter(
          (r) =>
            asked.repositories?.some((name) => name.toLowerCase() === r.name.toLowerCase()) ||
            asked.repository_ids?.includes(r.id),
        );
        const wanted = (asked.repositories?.length ?? 0) + (asked.repository_ids?.length ?? 0);
        if (chosen.length < wanted)
          return unprocessable([
            {
              resource: "Installation",
              code: "invalid",
              field: "repositories",
              message:
                "There is at least one repository that does not exist or is not accessible to the parent installation.",
            },
          ]);
        repositories = new Set(chosen.map((r) => r.fullName));
      }
      // "The installation access token cannot be granted permissions that the app was not granted."
      const beyond = asked.permissions ? excess(installation.permissions, asked.permissions) : null;
      if (beyond)
        return {
          status: 422,
          body: {
            message: "The permissions requested are not granted to this installation.",
            documentation_url: "https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app",
            status: "422",
          },
        };
      const record: TokenRecord = {
        token: newToken(),
        installationId: installation.id,
        expiresAt: Date.now() + env.tokenTtlMs,
        repositories,
        permissions: asked.permissions ?? installation.permissions,
      };
      state.tokens.set(record.token, record);
      const reply: Record<string, unknown> = {
        token: record.token,
        expires_at: timestamp(new Date(record.expiresAt)),
        permissions: record.permissions,
        repository_selection: repositories ? "selected" : installation.repositorySelection,
      };
      if (repositories)
        reply["repositories"] = covered
          .filter((r) => repositories.has(r.fullName))
          .map((r) => repositoryShape(env.ctx, r));
      return json(201, reply);
    },
  },

  "apps/list-repos-accessible-to-installation": {
    auth: "installation",
    handle: async (req, env) => {
      if (req.caller.kind !== "installation") return notFound();
      const token = req.caller.token;
      const repos = [...env.ctx.state.repos.values()].filter(
        (r) => r.installationId === token.installationId && (!token.repositories || token.repositories.has(r.fullName)),
      );
      const page = await paginate(req, repos, `${env.ctx.api}/installation/repositories`, (r) =>
        repositoryShape(env.ctx, r),
      );
      const installation = env.ctx.state.installations.get(token.installationId);
      return {
        ...page,
        body: {
          total_count: repos.length,
          repositories: page.body,
          repository_selection: installation?.repositorySelection ?? "all",
        },
      };
    },
  },
};
