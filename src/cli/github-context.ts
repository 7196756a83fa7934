import { existsSync, readFileSync } from "node:fs";
import { BindopsError } from "../core/errors.js";
import type { GitHubAuth } from "../review/github/github-client.js";
import type { CommandContext } from "./io.js";

/** The pull request a `review --github` posts on, and how to reach GitHub. */
export interface GitHubContext {
  apiUrl: string;
  /** For links to files: `https://github.com`. */
  serverUrl: string;
  owner: string;
  repo: string;
  pullNumber: number;
  /** From the workflow's event, when it is about this pull request. */
  pullRequest?: { baseSha?: string; headSha?: string };
  auth: GitHubAuth;
}

/**
 * Reads where and as whom to post a review, from the options and the environment GitHub Actions
 * sets: the repository (`--repo`, else `GITHUB_REPOSITORY`), the pull request (`--pr`, else the
 * `pull_request` of the event in `GITHUB_EVENT_PATH`), the API (`GITHUB_API_URL`), and the
 * credentials: a GitHub App (`BINDOPS_GITHUB_APP_ID`, `BINDOPS_GITHUB_APP_PRIVATE_KEY` or
 * `BINDOPS_GITHUB_APP_PRIVATE_KEY_FILE`, optionally `BINDOPS_GITHUB_APP_INSTALLATION_ID`), else
 * `GITHUB_TOKEN`. Nothing here is logged: the token is handed to the adapter only.
 */
export function githubContext(
  ctx: Pick<CommandContext, "env">,
  options: { pr?: string | undefined; repo?: string | undefined },
): GitHubContext {
  const { env } = ctx;
  const fullName = options.repo ?? env.GITHUB_REPOSITORY;
  const match = fullName === undefined ? null : /^([\w.-]+)\/([\w.-]+)$/.exec(fullName);
  if (match === null) {
    throw new BindopsError(
      "usage",
      "no-github-repository",
      fullName === undefined
        ? "--github needs the repository: --repo owner/name (GITHUB_REPOSITORY in GitHub Actions)"
        : `--repo ${fullName}: not owner/name`,
    );
  }
  const event = readEvent(env.GITHUB_EVENT_PATH);
  let pullNumber: number;
  if (options.pr !== undefined) {
    pullNumber = Number(options.pr);
    if (!Number.isInteger(pullNumber) || pullNumber <= 0) {
      throw new BindopsError(
        "usage",
        "bad-pull-request",
        `--pr ${options.pr}: not a pull request number`,
      );
    }
  } else if (event?.number !== undefined) {
    pullNumber = event.number;
  } else {
    throw new BindopsError("usage", "no-pull-request", "--github needs a pull request", {
      hint: "run it on a pull_request event in GitHub Actions, or pass --pr NUMBER",
    });
  }
  const sameRequest = event?.number === pullNumber;
  return {
    apiUrl: env.GITHUB_API_URL || "https://api.github.com",
    serverUrl: env.GITHUB_SERVER_URL || "https://github.com",
    owner: match[1]!,
    repo: match[2]!,
    pullNumber,
    ...(sameRequest && event
      ? {
          pullRequest: {
            ...(event.baseSha ? { baseSha: event.baseSha } : {}),
            ...(event.headSha ? { headSha: event.headSha } : {}),
          },
        }
      : {}),
    auth: authFrom(env),
  };
}

interface EventFacts {
  number?: number;
  baseSha?: string;
  headSha?: string;
}

/** The pull request of a workflow's event (`pull_request`, `pull_request_target`), if any. */
function readEvent(file: string | undefined): EventFacts | undefined {
  if (!file || !existsSync(file)) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new BindopsError("usage", "bad-github-event", `GITHUB_EVENT_PATH ${file} is not JSON`, {
      cause: error,
    });
  }
  const pr = (payload as { pull_request?: Record<string, unknown> } | null)?.pull_request;
  if (typeof pr !== "object" || pr === null) return undefined;
  const sha = (side: unknown) => {
    const value = (side as { sha?: unknown } | undefined)?.sha;
    return typeof value === "string" ? value : undefined;
  };
  const number = typeof pr.number === "number" ? pr.number : undefined;
  const baseSha = sha(pr.base);
  const headSha = sha(pr.head);
  return {
    ...(number === undefined ? {} : { number }),
    ...(baseSha ? { baseSha } : {}),
    ...(headSha ? { headSha } : {}),
  };
}

function authFrom(env: NodeJS.ProcessEnv): GitHubAuth {
  const appId = env.BINDOPS_GITHUB_APP_ID;
  if (appId) {
    const keyFile = env.BINDOPS_GITHUB_APP_PRIVATE_KEY_FILE;
    let privateKey = env.BINDOPS_GITHUB_APP_PRIVATE_KEY;
    if (!privateKey && keyFile) {
      try {
        privateKey = readFileSync(keyFile, "utf8");
      } catch (error) {
        throw new BindopsError(
          "usage",
          "github-app-key",
          `BINDOPS_GITHUB_APP_PRIVATE_KEY_FILE: cannot read ${keyFile}`,
          {
            cause: error,
          },
        );
      }
    }
    if (!privateKey) {
      throw new BindopsError(
        "usage",
        "github-app-key",
        "BINDOPS_GITHUB_APP_ID is set, but no private key",
        {
          hint: "set BINDOPS_GITHUB_APP_PRIVATE_KEY (the PEM) or BINDOPS_GITHUB_APP_PRIVATE_KEY_FILE",
        },
      );
    }
    const installation = env.BINDOPS_GITHUB_APP_INSTALLATION_ID;
    const installationId = installation ? Number(installation) : undefined;
    if (installationId !== undefined && !(Number.isInteger(installationId) && installationId > 0)) {
      throw new BindopsError(
        "usage",
        "github-app-installation",
        "BINDOPS_GITHUB_APP_INSTALLATION_ID is not a number",
      );
    }
    // Keys pasted into a secret often lose their line breaks to literal "\n".
    privateKey = privateKey.replace(/\\n/g, "\n");
    return { kind: "app", appId, privateKey, ...(installationId ? { installationId } : {}) };
  }
  const token = env.GITHUB_TOKEN;
  if (token) return { kind: "token", token };
  throw new BindopsError("usage", "no-github-credentials", "--github needs credentials", {
    hint: "set GITHUB_TOKEN (in a workflow: env: GITHUB_TOKEN: ${{ github.token }}) or a GitHub App (BINDOPS_GITHUB_APP_ID and BINDOPS_GITHUB_APP_PRIVATE_KEY)",
  });
}
