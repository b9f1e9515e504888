// A GitHub job's workspaces: made, cloned (from the repository's spare
// workspace or through its mirror, with its dependency cache, when the cache
// is on), removed at the end; once the job is past setup, the next job's
// spare is made in the background.
import type { Logger } from "pino";
import type { RepoConfig } from "../config/repo-config.ts";
import type { JobRecord, JobRunContext } from "../shared/job.ts";
import type { CacheKey } from "../workspace/cache/entries.ts";
import { DepCache, type SetupCache, type StagedTrees } from "../workspace/cache/deps.ts";
import { MirrorCache } from "../workspace/cache/mirror.ts";
import type { SpareRequest } from "../workspace/cache/spare.ts";
import { GitWorkspace } from "../workspace/git.ts";
import type { Workspace } from "../workspace/types.ts";
import type { JobDeps } from "./deps.ts";
import type { JobScope } from "./job-scope.ts";
import { createWorkspaceDir, removeWorkspaceDir } from "./workspace-dir.ts";

/** Makes the job's workspace dirs and clones into them; removes them at the end. */
export class WorkspaceMaker {
  readonly #deps: JobDeps;
  readonly #job: JobRecord;
  readonly #run: JobRunContext;
  readonly #made: Workspace[] = [];
  readonly #setupCaches = new Map<string, SetupCache>();
  readonly #spareRequests = new Map<string, { request: SpareRequest; mirrors: MirrorCache }>();
  #config: RepoConfig | undefined;

  constructor(deps: JobDeps, job: JobRecord, run: JobRunContext) {
    this.#deps = deps;
    this.#job = job;
    this.#run = run;
  }

  /**
   * With the repository's id, the clone goes through its mirror in the cache (when the cache is on).
   * `base`: the commit cloned, before any branch is checked out: what the trust boundary trusts.
   */
  async clone(
    scope: JobScope,
    cloneUrl: string,
    branch: string,
    repositoryId?: number | bigint,
  ): Promise<{ workspace: Workspace; git: GitWorkspace; base: string }> {
    await scope.reporter.phase("clone");
    const workspace = await createWorkspaceDir(this.#deps.env.workDir, this.#job.id);
    this.#made.push(workspace);
    const mirror = this.#mirror(repositoryId, scope.log);
    const slim = this.#config?.clone_depth !== undefined || this.#config?.partial_clone === true;
    const { shareObjects } = mirror ?? { shareObjects: false };
    const request =
      mirror && !slim ? { key: mirror.key, cloneUrl, branch, token: scope.token, shareObjects } : undefined;
    const spare = request ? await this.#deps.spares?.take(request, workspace, this.#run.signal) : undefined;
    const identity = { token: scope.token, identity: scope.identity.git, home: workspace.homeDir };
    const git = spare
      ? await GitWorkspace.adopt({ dir: workspace.repoDir, ...identity }, "spare")
      : await GitWorkspace.clone({
          cloneUrl,
          dir: workspace.repoDir,
          branch,
          ...identity,
          signal: this.#run.signal,
          depth: this.#config?.clone_depth,
          partial: this.#config?.partial_clone,
          mirror,
        });
    if (git.mirrorUse) scope.log.info({ mirror: git.mirrorUse }, "cloned through the repository mirror");
    if (request && mirror) this.#spareRequests.set(workspace.root, { request, mirrors: mirror.cache });
    const key = this.#key(repositoryId);
    if (key) {
      // What was just cloned is the base branch as the job found it: the only checkout whose install may fill the cache.
      const trustedBase = await git.head();
      this.#setupCaches.set(workspace.root, this.#depCache(key, trustedBase, scope.log, spare?.staged));
    }
    return { workspace, git, base: await git.head() };
  }

  /** The repository's clone options (clone_depth, partial_clone), once its config is read. */
  useConfig(config: RepoConfig): void {
    this.#config = config;
  }

  /** The dependency cache of a workspace this maker cloned, when the cache is on. */
  setupCache(workspace: Workspace): SetupCache | undefined {
    return this.#setupCaches.get(workspace.root);
  }

  /**
   * The job is past setup (`setupCommand` ran, or none did): make the repository's next spare workspace in
   * the background, with the dependency tree that command uses beside it.
   */
  prepareSpare(workspace: Workspace, setupCommand: string | undefined): void {
    const spare = this.#spareRequests.get(workspace.root);
    if (spare) this.#deps.spares?.prepare(spare.request, spare.mirrors, setupCommand);
  }

  #depCache(key: CacheKey, trustedBase: string, log: Logger, staged: StagedTrees | undefined): DepCache {
    const { dir, maxBytes } = this.#deps.env.cache;
    return new DepCache({ dir, maxBytes, key, trustedBase, log, ...(staged ? { staged } : {}) });
  }

  #key(repositoryId: number | bigint | undefined): CacheKey | undefined {
    const { cache, github } = this.#deps.env;
    if (repositoryId === undefined || cache.maxBytes === 0) return undefined;
    return { host: github.host, installationId: this.#job.installationId, repositoryId: Number(repositoryId) };
  }

  #mirror(
    repositoryId: number | bigint | undefined,
    log: Logger,
  ): { cache: MirrorCache; key: CacheKey; shareObjects: boolean } | undefined {
    const key = this.#key(repositoryId);
    const { cache } = this.#deps.env;
    // Packs are shared with the mirror only when the sandbox keeps commands off .git (cache/mirror-git.ts).
    const shareObjects = this.#deps.runner.kind === "bwrap";
    return key
      ? { cache: new MirrorCache({ dir: cache.dir, maxBytes: cache.maxBytes, log }), key, shareObjects }
      : undefined;
  }

  async removeAll(): Promise<void> {
    for (const ws of this.#made.splice(0)) await removeWorkspaceDir(ws);
  }
}
