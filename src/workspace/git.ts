// git for a job's workspace, through simple-git. The installation token
// travels only in git's environment (GIT_CONFIG_* → http.extraHeader): never
// in a URL, an argument visible in `ps`, .git/config, a file, or a log.
// Host-side git also ignores hooks, fsmonitor and any config the agent may
// have planted in the checkout, since it runs outside the sandbox: .git/config
// is put back as cloned before git runs, and the git dir is named outright, so
// a planted .git/commondir cannot point git at a config of the agent's.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { SimpleGit } from "simple-git";
import { UserError } from "../errors.ts";
import type { MirrorUse } from "./cache/mirror.ts";
import { cloneCheckout, type CloneOptions } from "./clone.ts";
import { client, firstLine, gitEnv, gitFailure, ownGitDir, type GitIdentity, type TokenSource } from "./git-env.ts";
import { markSetupArtifacts, revertSetupRewrites } from "./setup-artifacts.ts";

export class GitWorkspace {
  readonly dir: string;
  readonly #token: TokenSource | undefined;
  readonly #identity: GitIdentity | undefined;
  readonly #home: string;
  #configSnapshot: string | undefined;
  /** Our own clone: its git dir is ./.git, named outright (a user's checkout may be a linked worktree). */
  #ownClone = false;
  /** Tracked files the setup command rewrote, with their content right after setup. */
  #setupRewrites = new Map<string, string>();
  /** How the clone went through the repository's mirror, when it did. */
  mirrorUse: MirrorUse | undefined;

  constructor(options: {
    dir: string;
    token?: TokenSource;
    identity?: GitIdentity;
    home: string;
    signal?: AbortSignal;
  }) {
    this.dir = options.dir;
    this.#token = options.token;
    this.#identity = options.identity;
    this.#home = options.home;
  }

  /** Clone `cloneUrl` into `dir` (which must not exist yet): see clone.ts. */
  static async clone(options: CloneOptions & { token?: TokenSource }): Promise<GitWorkspace> {
    return GitWorkspace.adopt(options, await cloneCheckout(options, options.token ? await options.token() : undefined));
  }

  /** A checkout made for this job by clone() or by other means (a spare workspace, cache/spare.ts). */
  static async adopt(options: ConstructorParameters<typeof GitWorkspace>[0], use: MirrorUse | undefined) {
    const ws = new GitWorkspace(options);
    ws.mirrorUse = use;
    ws.#ownClone = true;
    await ws.#snapshotConfig();
    return ws;
  }

  /** Use an existing checkout (the CLI works on the user's own repository). */
  static async open(options: Omit<ConstructorParameters<typeof GitWorkspace>[0], "token">): Promise<GitWorkspace> {
    const ws = new GitWorkspace(options);
    if (!(await ws.#git().checkIsRepo())) throw new UserError(`${options.dir} is not a git repository`);
    return ws;
  }

  // Only the clone honours the job's signal: after a cancel, the work made so
  // far must still be committed and pushed as it stands.
  #git(token?: string): SimpleGit {
    const env = gitEnv(token, this.#identity, this.#home);
    if (!this.#ownClone) return client(this.dir, env);
    return client(this.dir, { ...env, ...ownGitDir(this.dir) });
  }

  async #withToken(): Promise<SimpleGit> {
    return this.#git(this.#token ? await this.#token() : undefined);
  }

  /** Remember .git/config as cloned, so anything planted in it later is undone before host-side git runs. */
  async #snapshotConfig(): Promise<void> {
    this.#configSnapshot = await readFile(path.join(this.dir, ".git", "config"), "utf8");
  }

  async #restoreConfig(): Promise<void> {
    if (this.#configSnapshot === undefined) return;
    const file = path.join(this.dir, ".git", "config");
    const now = await readFile(file, "utf8").catch(() => "");
    if (now !== this.#configSnapshot) await writeFile(file, this.#configSnapshot);
  }

  /** Host-side git, config put back as cloned first (git-tree.ts, git-merge.ts); `env` adds e.g. GIT_INDEX_FILE; `token` for fetches. */
  async hardened(env: Record<string, string> = {}, options: { token?: boolean } = {}): Promise<SimpleGit> {
    await this.#restoreConfig();
    return client(this.dir, {
      ...gitEnv(options.token && this.#token ? await this.#token() : undefined, this.#identity, this.#home),
      ...(this.#ownClone ? ownGitDir(this.dir) : {}),
      ...env,
    });
  }

  async head(): Promise<string> {
    return (await this.#git().revparse(["HEAD"])).trim();
  }

  async revParse(ref: string): Promise<string> {
    return (await this.#git().revparse([ref])).trim();
  }

  /** Whether `ancestor` is `ref` or in its history. */
  async contains(ref: string, ancestor: string): Promise<boolean> {
    // (Not `merge-base --is-ancestor`: it answers by exit code alone, and every failure would read as "no".)
    try {
      const [base, full] = await Promise.all([
        this.#git().raw(["merge-base", ancestor, ref]),
        this.#git().revparse([`${ancestor}^{commit}`]),
      ]);
      return base.trim() === full.trim();
    } catch {
      return false;
    }
  }

  async currentBranch(): Promise<string> {
    return (await this.#git().revparse(["--abbrev-ref", "HEAD"])).trim();
  }

  // Checkouts carry the token: a partial clone fetches the blobs it lacks.
  async checkoutNewBranch(branch: string, startPoint = "HEAD"): Promise<void> {
    await (await this.#withToken()).checkout(["-B", branch, startPoint]);
    await this.#snapshotConfig();
  }

  /** Fetch a remote branch; false when it does not exist. */
  async fetchBranch(branch: string): Promise<boolean> {
    await this.#restoreConfig();
    const git = await this.#withToken();
    try {
      await git.fetch("origin", `+refs/heads/${branch}:refs/remotes/origin/${branch}`, ["--no-tags"]);
      return true;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const failure = gitFailure("fetch", err);
      // "Repository not found" is a token that lost access, not a missing branch.
      if (!(failure instanceof UserError) && /couldn't find remote ref|not found/i.test(message)) return false;
      throw failure;
    }
  }

  /** Fetch any ref (e.g. `refs/pull/12/head`) and check it out detached. */
  async checkoutRef(ref: string): Promise<string> {
    await this.#restoreConfig();
    const git = await this.#withToken();
    try {
      await git.fetch("origin", `+${ref}:refs/issuesmith/fetched`, ["--no-tags"]);
    } catch (err) {
      throw gitFailure("fetch", err);
    }
    await git.checkout(["--detach", "refs/issuesmith/fetched"]);
    return this.head();
  }

  /** Fetch `branch` from another local repository into a branch of this one (refuses to overwrite a different branch). */
  async fetchBranchFrom(sourceDir: string, branch: string): Promise<void> {
    await this.#git()
      .raw(["fetch", "--no-tags", sourceDir, `refs/heads/${branch}:refs/heads/${branch}`])
      .catch((err: unknown) => {
        throw gitFailure("fetch", err);
      });
  }

  /** Apply a unified diff to the working tree (the user's checkout). */
  async applyPatch(patchFile: string): Promise<void> {
    try {
      await this.#git().raw(["apply", "--whitespace=nowarn", patchFile]);
    } catch (err) {
      throw new UserError(
        `the change does not apply to your working tree: ${firstLine(err instanceof Error ? err.message : String(err))}`,
      );
    }
  }

  /**
   * Setup commands leave things behind (node_modules/, a rewritten lockfile,
   * caches): those are not the agent's work. Untracked ones are excluded for
   * this clone; rewritten tracked files are remembered and put back later
   * unless the agent changed them further.
   */
  async markSetupArtifacts(): Promise<string[]> {
    const { untracked, rewrites } = await markSetupArtifacts(this.#git(), this.dir);
    this.#setupRewrites = rewrites;
    return [...untracked, ...rewrites.keys()];
  }

  /** Put back tracked files only the setup command changed. */
  async revertSetupRewrites(ref = "HEAD"): Promise<void> {
    // hash-object runs clean filters: only those of the config as cloned.
    await this.#restoreConfig();
    await revertSetupRewrites(this.#git(), this.#setupRewrites, ref);
  }

  /** Paths changed in the work tree and index relative to HEAD, plus untracked files; a staged rename names both its paths. */
  async changedPaths(): Promise<string[]> {
    await this.#restoreConfig();
    const status = await this.#git().status(["--untracked-files=all"]);
    return [
      ...new Set(status.files.flatMap((f) => (f.from && f.from !== f.path ? [f.path, f.from] : [f.path]))),
    ].sort();
  }

  /** Paths that differ between `base` and HEAD (committed work); a rename names both its paths. */
  async diffPaths(base: string): Promise<string[]> {
    await this.#restoreConfig();
    const out = await this.#git().raw(["diff", "--name-only", "--no-renames", `${base}...HEAD`]);
    return out.split("\n").filter(Boolean).sort();
  }

  /** Unified diff of committed work against `base`: the bytes themselves (no textconv), as scanned before a push. */
  async diff(base: string, paths: string[] = []): Promise<string> {
    await this.#restoreConfig();
    return this.#git().raw(["diff", "--no-color", "--no-ext-diff", "--no-textconv", `${base}...HEAD`, "--", ...paths]);
  }

  /** Unified diff of uncommitted work (tracked and untracked) against HEAD. */
  async workingDiff(): Promise<string> {
    await this.#restoreConfig();
    const git = this.#git();
    await git.raw(["add", "-A", "--intent-to-add"]);
    return git.raw(["diff", "--no-color", "--no-ext-diff", "HEAD"]);
  }

  /** Put paths back as they are at `ref` (or remove them when they do not exist there). */
  async revertPaths(paths: string[], ref = "HEAD"): Promise<void> {
    await this.#restoreConfig();
    const git = this.#git();
    for (const p of paths) {
      const exists = await git.raw(["ls-tree", "--name-only", ref, "--", p]).then((o) => o.trim() !== "");
      if (exists) await git.raw(["checkout", ref, "--", p]);
      else
        await git
          .raw(["rm", "-r", "-f", "-q", "--cached", "--ignore-unmatch", "--", p])
          .then(() => git.raw(["clean", "-f", "-q", "--", p]));
    }
  }

  /** Commit everything; undefined when there was nothing to commit. */
  async commitAll(message: string): Promise<string | undefined> {
    await this.#restoreConfig();
    const git = this.#git();
    await git.raw(["add", "-A"]);
    const staged = await git.raw(["diff", "--cached", "--name-only"]);
    if (!staged.trim()) return undefined;
    await git.raw(["commit", "-q", "--no-verify", "-m", message]);
    return this.head();
  }

  /** Replace the commits since `base` with one commit (before a branch is published). */
  async squashSince(base: string, message: string): Promise<string | undefined> {
    await this.#restoreConfig();
    const git = this.#git();
    await git.raw(["reset", "--soft", base]);
    return this.commitAll(message);
  }

  /** Replay HEAD's commits that `onto` lacks on top of it; false, with nothing changed, on a conflict. */
  async rebaseOnto(onto: string): Promise<boolean> {
    await this.#restoreConfig();
    const ok = await this.#git()
      .raw(["rebase", "--no-autosquash", onto])
      .then(
        () => true,
        () => false,
      );
    if (!ok)
      await this.#git()
        .raw(["rebase", "--abort"])
        .catch(() => undefined);
    return ok;
  }

  deleteRemoteBranch(branch: string): Promise<void> {
    return this.#push(["push", "--quiet", "--no-verify", "origin", `:refs/heads/${branch}`], "push (delete)");
  }

  /**
   * Push HEAD to `branch`. `expect` guards a rewrite: the remote must still be
   * at that commit (force-with-lease); without it the push must fast-forward.
   */
  push(branch: string, options: { expect?: string | null } = {}): Promise<void> {
    const args = ["push", "--quiet", "--no-verify", "origin", `HEAD:refs/heads/${branch}`];
    if (options.expect !== undefined)
      args.splice(2, 0, `--force-with-lease=refs/heads/${branch}:${options.expect ?? ""}`);
    return this.#push(args, "push");
  }

  /** Pushes carry the token; a refusal becomes the step's named failure. */
  async #push(args: string[], what: string): Promise<void> {
    await this.#restoreConfig();
    const git = await this.#withToken();
    await git.raw(args).catch((err: unknown) => {
      throw gitFailure(what, err);
    });
  }
}
