// `issues.labeled` with the trigger label → a fix job.
import type { Probot } from "probot";
import type { HandlerDeps } from "./deps.ts";
import { labeledSchema, parsePayload } from "./payloads.ts";
import { guarded, handleTrigger } from "./trigger.ts";

export function registerIssueHandlers(app: Probot, deps: HandlerDeps): void {
  app.on("issues.labeled", (context) =>
    guarded(deps, "issues.labeled", context.id, async () => {
      const p = parsePayload(labeledSchema, context.payload);
      if (!p) return "malformed";
      const repo = { owner: p.repository.owner.login, repo: p.repository.name };
      return handleTrigger(
        {
          deliveryId: context.id,
          event: "issues.labeled",
          octokit: context.octokit,
          installationId: p.installation.id,
          repo,
          sender: p.sender,
          target: { ...repo, number: p.issue.number, isPullRequest: false },
          decide: (config) =>
            p.label.name.toLowerCase() === config.label.toLowerCase() ? { verb: "fix", text: "" } : undefined,
        },
        deps,
      );
    }),
  );
}
