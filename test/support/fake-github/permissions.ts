// What each door of the fake demands of an installation token, as GitHub
// documents it ("Permissions required for GitHub Apps"), and what the
// installation holds: by default exactly what app.yml asks for, so a feature
// that needs a permission app.yml does not request fails here as on GitHub.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

export type Level = "read" | "write" | "admin";

/** Any one of the alternatives suffices (GitHub lets issue routes pass with issues or pull_requests). */
export type Need = ReadonlyArray<readonly [permission: string, level: Level]>;

const RANK: Record<string, number> = { read: 1, write: 2, admin: 3 };

const read = (p: string): Need => [[p, "read"]];
const write = (p: string): Need => [[p, "write"]];
const issueRead: Need = [
  ["issues", "read"],
  ["pull_requests", "read"],
];
const issueWrite: Need = [
  ["issues", "write"],
  ["pull_requests", "write"],
];

/** REST operations served to installations → the permission GitHub documents for each; [] needs none. */
export const REST_NEEDS: Record<string, Need> = {
  "apps/list-repos-accessible-to-installation": [],
  "users/get-by-username": [],
  "repos/get": read("metadata"),
  "repos/get-collaborator-permission-level": read("metadata"),
  "repos/get-content": read("contents"),
  "repos/get-branch": [
    ["contents", "read"],
    ["metadata", "read"],
  ],
  "git/get-ref": read("contents"),
  "git/list-matching-refs": read("contents"),
  "git/delete-ref": write("contents"),
  "repos/compare-commits": read("contents"),
  "repos/compare-commits-with-basehead": read("contents"),
  // an organization permission: "Members" (read)
  "teams/get-membership-for-user-in-org": read("members"),
  "issues/get": issueRead,
  "issues/list-comments": issueRead,
  "issues/get-comment": issueRead,
  "issues/list-labels-on-issue": issueRead,
  "issues/update": issueWrite,
  "issues/create-comment": issueWrite,
  "issues/update-comment": issueWrite,
  "issues/delete-comment": issueWrite,
  "issues/add-labels": issueWrite,
  "issues/remove-label": issueWrite,
  "reactions/list-for-issue": issueRead,
  "reactions/list-for-issue-comment": issueRead,
  "reactions/create-for-issue": issueWrite,
  "reactions/create-for-issue-comment": issueWrite,
  "reactions/create-for-pull-request-review-comment": write("pull_requests"),
  "pulls/list": read("pull_requests"),
  "pulls/get": read("pull_requests"),
  "pulls/list-files": read("pull_requests"),
  "pulls/list-commits": read("pull_requests"),
  "pulls/list-reviews": read("pull_requests"),
  "pulls/list-review-comments": read("pull_requests"),
  "pulls/get-review-comment": read("pull_requests"),
  "pulls/create": write("pull_requests"),
  "pulls/update": write("pull_requests"),
  "pulls/create-review-comment": write("pull_requests"),
  "pulls/create-reply-for-review-comment": write("pull_requests"),
  "checks/get": read("checks"),
  "checks/list-for-ref": read("checks"),
  "checks/create": write("checks"),
  "checks/update": write("checks"),
};

/** GraphQL: reading a pull request's threads needs pull_requests read; the mutations the fake knows need write. */
export const GRAPHQL_NEEDS = { query: read("pull_requests"), mutation: write("pull_requests") } as const;

/** The first alternative of `need` that `granted` does not meet, or null when it is met. */
export function missing(granted: Record<string, string>, need: Need): string | null {
  if (need.length === 0) return null;
  const met = need.some(([permission, level]) => (RANK[granted[permission] ?? ""] ?? 0) >= (RANK[level] ?? 9));
  return met ? null : need.map(([p, l]) => `${p}: ${l}`).join(" or ");
}

/** `asked` within `granted`: every asked permission at a level the installation holds. Names the first excess. */
export function excess(granted: Record<string, string>, asked: Record<string, string>): string | null {
  for (const [permission, level] of Object.entries(asked)) {
    if (!(level in RANK)) return `${permission}: ${level}`;
    if ((RANK[granted[permission] ?? ""] ?? 0) < (RANK[level] ?? 9)) return `${permission}: ${level}`;
  }
  return null;
}

const APP_YML = fileURLToPath(new URL("../../../app.yml", import.meta.url));

/** `default_permissions` of the repository's app.yml: what an installation of issuesmith is granted. */
export function manifestPermissions(path = APP_YML): Record<string, string> {
  const manifest = parse(readFileSync(path, "utf8")) as { default_permissions?: Record<string, string> } | null;
  const permissions = manifest?.default_permissions;
  if (!permissions || typeof permissions !== "object")
    throw new Error(`fake GitHub: ${path} has no default_permissions`);
  return { ...permissions };
}

/** GitHub's `X-Accepted-GitHub-Permissions` header on a 403: the alternatives, `;`-separated. */
export function acceptedHeader(need: Need): string {
  return need.map(([p, l]) => `${p}=${l}`).join("; ");
}
