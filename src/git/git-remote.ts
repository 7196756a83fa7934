import { isAbsolute, resolve } from "node:path";
import { BindopsError } from "../core/errors.js";
import { GitCommandError } from "./run-git.js";

/** The environment git runs with: the process environment, as the composition root passes it. */
export type GitEnvironment = Readonly<Record<string, string | undefined>>;

/** The environment variable that holds a token for https remotes. */
export const gitTokenVariable = "BINDOPS_GIT_TOKEN";
/** The user name sent with the token (default `x-access-token`, as GitHub expects). */
export const gitUsernameVariable = "BINDOPS_GIT_USERNAME";

/** Whether `repo` names a remote by URL (`scheme://…` or scp-like `user@host:path`). */
export function isRemoteUrl(repo: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/\\:@]+@[^/\\:]+:/.test(repo);
}

/** What git is given as the remote: a URL as it is, a path made absolute. */
export function remoteLocation(repo: string): string {
  return isRemoteUrl(repo) || isAbsolute(repo) ? repo : resolve(repo);
}

/** The remote as it may be shown: user name and password of a URL replaced by `***`. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1***@");
}

/** What {@link gitAuthEnvironment} adds to git's environment, and the strings never to show. */
export interface GitAuth {
  /** Variables to add to git's environment (empty when there is no token or no https). */
  variables: Record<string, string>;
  /** The token and the header built from it: scrubbed from anything shown. */
  secrets: string[];
}

/**
 * The token of `BINDOPS_GIT_TOKEN`, for an https remote, as git configuration passed through the
 * environment (`GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n`): an
 * `http.<scheme://host/>.extraHeader` with HTTP Basic credentials, so that git sends it to that
 * host only. Never in the remote URL (git would store and print it) nor on the command line
 * (other users of the machine can read a process's arguments, not its environment).
 */
export function gitAuthEnvironment(url: string, env: GitEnvironment): GitAuth {
  const token = env[gitTokenVariable];
  if (!token || !/^https:\/\//i.test(url)) return { variables: {}, secrets: token ? [token] : [] };
  const user = env[gitUsernameVariable] || "x-access-token";
  const basic = Buffer.from(`${user}:${token}`).toString("base64");
  const { protocol, host } = new URL(url);
  const index = Number(env.GIT_CONFIG_COUNT ?? "0") || 0;
  return {
    variables: {
      GIT_CONFIG_COUNT: String(index + 1),
      [`GIT_CONFIG_KEY_${index}`]: `http.${protocol}//${host}/.extraHeader`,
      [`GIT_CONFIG_VALUE_${index}`]: `Authorization: Basic ${basic}`,
    },
    secrets: [token, basic],
  };
}

/** `text` with every secret and any credentials of a URL replaced by `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s'"]*@/gi, "$1***@");
  for (const secret of secrets) if (secret) out = out.split(secret).join("***");
  return out;
}

/** What was asked of the remote when it failed, for the error's words. */
export interface RemoteRequest {
  /** The remote as shown (redacted). */
  remote: string;
  branch?: string;
  revision?: string;
}

/**
 * A failed git command that talked to a remote, as a `BindopsError` of kind `unreachable`
 * (exit 4): `bad-credentials`, `missing-branch`, `missing-revision`, `remote-unreachable`, or
 * `git-failed`. The message is git's, with the secrets scrubbed; the cause is dropped, since its
 * text is git's unscrubbed.
 */
export function remoteError(
  error: unknown,
  request: RemoteRequest,
  secrets: readonly string[],
): BindopsError {
  if (error instanceof BindopsError) return error;
  if (error instanceof Error && error.name === "AbortError") throw error;
  const raw = error instanceof GitCommandError ? error.stderr : String(error);
  const detail = redact(raw, secrets)
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !/^hint:/.test(line))
    .slice(-3)
    .join("; ");
  const { remote } = request;
  if (
    /authentication failed|could not read (username|password)|terminal prompts disabled|returned error: 40[13]|HTTP 40[13]|permission denied \(publickey/i.test(
      raw,
    )
  ) {
    return new BindopsError(
      "unreachable",
      "bad-credentials",
      `${remote} refused the credentials (${detail})`,
      { hint: `set ${gitTokenVariable} to a token that may read (and push to) the repository` },
    );
  }
  if (/couldn't find remote ref|not our ref|unadvertised object|no such remote ref/i.test(raw)) {
    return request.revision === undefined
      ? new BindopsError(
          "unreachable",
          "missing-branch",
          `${remote} has no branch "${request.branch ?? "HEAD"}"`,
          { hint: "name an existing branch with --branch" },
        )
      : new BindopsError(
          "unreachable",
          "missing-revision",
          `${remote} has no revision "${request.revision}"`,
          { hint: "name a branch, tag or commit the remote has with --rev" },
        );
  }
  if (
    /could not resolve host|connection refused|failed to connect|unable to access|could not read from remote repository|does not appear to be a git repository|not found|timed out|network is unreachable|no route to host/i.test(
      raw,
    )
  ) {
    return new BindopsError(
      "unreachable",
      "remote-unreachable",
      `cannot reach ${remote} (${detail})`,
      {
        hint: "check the repository URL or path and the network; the last fetched revision stays in use",
      },
    );
  }
  return new BindopsError("unreachable", "git-failed", `git failed on ${remote}: ${detail}`);
}
