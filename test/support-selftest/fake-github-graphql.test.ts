import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { installationOctokit, type TestOctokitInstance } from "../support/github-client.ts";
import { appKeys } from "../support/keys.ts";

const THREADS = `
  query Threads($owner: String!, $name: String!, $number: Int!, $after: String) {
    repository(owner: $owner, name: $name) {
      pullRequest(number: $number) {
        id
        isDraft
        reviewThreads(first: 1, after: $after) {
          totalCount
          pageInfo { hasNextPage endCursor }
          nodes {
            id
            isResolved
            path
            line
            comments(first: 10) { nodes { databaseId path line body author { login __typename } ... on PullRequestReviewComment { diffHunk } } }
          }
        }
      }
    }
  }`;

interface ThreadsResult {
  repository: {
    pullRequest: {
      id: string;
      isDraft: boolean;
      reviewThreads: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        nodes: {
          id: string;
          isResolved: boolean;
          path: string;
          line: number;
          comments: {
            nodes: {
              databaseId: number;
              body: string;
              diffHunk: string;
              author: { login: string; __typename: string };
            }[];
          };
        }[];
      };
    };
  };
}

describe("fake GitHub: GraphQL", () => {
  let fake: FakeGitHub;
  let octokit: TestOctokitInstance;
  let number: number;

  beforeAll(async () => {
    const keys = await appKeys();
    fake = await createFakeGitHub({ appId: 5, publicKey: keys.publicKey });
    await fake.addRepo({ owner: "acme", name: "widgets", files: { "src/a.js": "one\ntwo\nthree\n" } });
    await fake.commit({
      owner: "acme",
      repo: "widgets",
      branch: "agent/issue-1",
      files: { "src/a.js": "one\nTWO\nthree\nfour\n" },
    });
    octokit = installationOctokit(fake, keys.privateKey);
    const { data: pr } = await octokit.rest.pulls.create({
      owner: "acme",
      repo: "widgets",
      head: "agent/issue-1",
      base: "main",
      title: "Fix",
      draft: true,
    });
    number = pr.number;
    await fake.addReview({
      owner: "acme",
      repo: "widgets",
      pullNumber: number,
      user: "alice",
      state: "CHANGES_REQUESTED",
      comments: [
        { path: "src/a.js", line: 2, body: "Lowercase please" },
        { path: "src/a.js", line: 4, body: "Why four?" },
      ],
    });
  });

  afterAll(() => fake.close());

  it("lists a pull request's review threads page by page, with comments and diff hunks", async () => {
    const first = await octokit.graphql<ThreadsResult>(THREADS, { owner: "acme", name: "widgets", number });
    const threads = first.repository.pullRequest.reviewThreads;
    expect(threads.totalCount).toBe(2);
    expect(threads.pageInfo.hasNextPage).toBe(true);
    expect(threads.nodes[0]).toMatchObject({ isResolved: false, path: "src/a.js", line: 2 });
    expect(threads.nodes[0]?.comments.nodes[0]).toMatchObject({
      body: "Lowercase please",
      author: { login: "alice", __typename: "User" },
    });
    expect(threads.nodes[0]?.comments.nodes[0]?.diffHunk).toBe("@@ -1,3 +1,4 @@\n one\n-two\n+TWO");
    const second = await octokit.graphql<ThreadsResult>(THREADS, {
      owner: "acme",
      name: "widgets",
      number,
      after: threads.pageInfo.endCursor,
    });
    expect(second.repository.pullRequest.reviewThreads.nodes.map((t) => t.line)).toEqual([4]);
    expect(second.repository.pullRequest.reviewThreads.pageInfo.hasNextPage).toBe(false);
    expect(fake.errors).toEqual([]);
  });

  it("marks a draft ready for review and resolves a thread as the app's bot", async () => {
    const { repository } = await octokit.graphql<ThreadsResult>(THREADS, { owner: "acme", name: "widgets", number });
    const ready = await octokit.graphql<{ markPullRequestReadyForReview: { pullRequest: { isDraft: boolean } } }>(
      "mutation($id: ID!) { markPullRequestReadyForReview(input: { pullRequestId: $id }) { pullRequest { isDraft } } }",
      { id: repository.pullRequest.id },
    );
    expect(ready.markPullRequestReadyForReview.pullRequest.isDraft).toBe(false);
    const threadId = repository.pullRequest.reviewThreads.nodes[0]?.id;
    await octokit.graphql(
      `mutation { resolveReviewThread(input: { threadId: "${threadId}" }) { thread { id isResolved } } }`,
    );
    expect(fake.state.pull("acme/widgets", number)?.draft).toBe(false);
    expect(fake.state.reviewThreads.find((t) => t.id === threadId)).toMatchObject({
      resolved: true,
      resolvedBy: "issuesmith-test[bot]",
    });
    const { data: rest } = await octokit.rest.pulls.get({ owner: "acme", repo: "widgets", pull_number: number });
    expect(rest.draft).toBe(false);
    expect(fake.errors).toEqual([]);
  });

  it("answers an unknown field or a connection without `first` with a GraphQL error, recorded", async () => {
    await expect(
      octokit.graphql('query { repository(owner: "acme", name: "widgets") { pullRequest(number: 1) { nonsense } } }'),
    ).rejects.toThrow(/Field 'nonsense' doesn't exist on type 'PullRequest'/);
    await expect(
      octokit.graphql(
        `query { repository(owner: "acme", name: "widgets") { pullRequest(number: ${number}) { reviewThreads { totalCount } } } }`,
      ),
    ).rejects.toThrow(/must provide a `first` or `last`/);
    await expect(
      octokit.graphql('mutation { mergePullRequest(input: { pullRequestId: "x" }) { clientMutationId } }'),
    ).rejects.toThrow(/mergePullRequest/);
    expect(fake.errors.splice(0).map((e) => e.kind)).toEqual(["graphql", "graphql", "graphql"]);
  });

  it("reports a node id it does not know as NOT_FOUND", async () => {
    await expect(
      octokit.graphql('mutation { resolveReviewThread(input: { threadId: "PRRT_nope" }) { thread { id } } }'),
    ).rejects.toThrow(/Could not resolve to a node/);
    expect(fake.errors.splice(0)).toMatchObject([{ kind: "graphql", details: { type: "NOT_FOUND" } }]);
  });
});
