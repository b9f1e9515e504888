// Bots and the app itself never trigger anything, so no two bots (or the app
// and its own comments) can talk each other into a loop.
export interface Sender {
  login: string;
  type?: string;
}

export function isBot(sender: Sender | null | undefined, appSlug?: string): boolean {
  if (!sender) return true;
  if (sender.type === "Bot") return true;
  const login = sender.login.toLowerCase();
  if (login.endsWith("[bot]")) return true;
  return appSlug !== undefined && (login === appSlug.toLowerCase() || login === `${appSlug.toLowerCase()}[bot]`);
}

/** Whether `login` is the app's own bot account (`<slug>[bot]`): the one test of "this PR is ours". */
export function isAppLogin(login: string | null | undefined, appSlug: string): boolean {
  return typeof login === "string" && login.toLowerCase() === `${appSlug.toLowerCase()}[bot]`;
}
