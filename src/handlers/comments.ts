// `/agent …` in issue comments, PR conversation comments, review bodies and
// inline review comments; and a `changes_requested` review on the app's own PR.
// Only `created`/`submitted` actions: editing a comment never re-triggers.
import type { Probot } from "probot";
import { isAppLogin } from "../github/bots.ts";
import { mayHoldCommand, parseCommand } from "../github/triggers.ts";
import type { HandlerDeps } from "./deps.ts";
import { issueCommentSchema, parsePayload, reviewCommentSchema, reviewSchema } from "./payloads.ts";
import { guarded, handleTrigger } from "./trigger.ts";

export function registerCommentHandlers(app: Probot, deps: HandlerDeps): void {
  app.on("issue_comment.created", (context) =>
    guarded(deps, "issue_comment.created", context.id, async () => {
      const p = parsePayload(issueCommentSchema, context.payload);
      if (!p) return "malformed";
      if (!mayHoldCommand(p.comment.body)) return "ignored";
      const repo = { owner: p.repository.owner.login, repo: p.repository.name };
      return handleTrigger(
        {
          deliveryId: context.id,
          event: "issue_comment.created",
          octokit: context.octokit,
          installationId: p.installation.id,
          repo,
          sender: p.sender,
          target: { ...repo, number: p.issue.number, isPullRequest: Boolean(p.issue.pull_request) },
          closed: p.issue.state === "closed",
          comment: { id: p.comment.id, kind: "issue_comment" },
          decide: (config) => parseCommand(p.comment.body, config.command),
        },
        deps,
      );
    }),
  );

  app.on("pull_request_review.submitted", (context) =>
    guarded(deps, "pull_request_review.submitted", context.id, async () => {
      const p = parsePayload(reviewSchema, context.payload);
      if (!p) return "malformed";
      if (!mayHoldCommand(p.review.body) && p.review.state.toLowerCase() !== "changes_requested") return "ignored";
      const repo = { owner: p.repository.owner.login, repo: p.repository.name };
      const { slug } = await deps.identity();
      const ownPull = isAppLogin(p.pull_request.user?.login, slug);
      return handleTrigger(
        {
          deliveryId: context.id,
          event: "pull_request_review.submitted",
          octokit: context.octokit,
          installationId: p.installation.id,
          repo,
          sender: p.sender,
          target: { ...repo, number: p.pull_request.number, isPullRequest: true },
          closed: p.pull_request.state === "closed",
          comment: { id: p.review.id, kind: "review" },
          decide: (config) => {
            const command = parseCommand(p.review.body, config.command);
            if (command) return command;
            // Requested changes on our own PR are a request to revise it.
            return ownPull && p.review.state.toLowerCase() === "changes_requested"
              ? { verb: "fix", text: "" }
              : undefined;
          },
        },
        deps,
      );
    }),
  );

  app.on("pull_request_review_comment.created", (context) =>
    guarded(deps, "pull_request_review_comment.created", context.id, async () => {
      const p = parsePayload(reviewCommentSchema, context.payload);
      if (!p) return "malformed";
      if (!mayHoldCommand(p.comment.body)) return "ignored";
      const repo = { owner: p.repository.owner.login, repo: p.repository.name };
      return handleTrigger(
        {
          deliveryId: context.id,
          event: "pull_request_review_comment.created",
          octokit: context.octokit,
          installationId: p.installation.id,
          repo,
          sender: p.sender,
          target: { ...repo, number: p.pull_request.number, isPullRequest: true },
          closed: p.pull_request.state === "closed",
          comment: { id: p.comment.id, kind: "review_comment" },
          decide: (config) => parseCommand(p.comment.body, config.command),
        },
        deps,
      );
    }),
  );
}
