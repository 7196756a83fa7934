import { App, Octokit, RequestError } from "octokit";
import { BindopsError } from "../../core/errors.js";
import type { CheckRunRequest, GitHubReviewClient, PullRequestInfo } from "../publish-review.js";
import { rateLimitWait } from "./rate-limit-wait.js";

/** How bindops authenticates to GitHub. */
export type GitHubAuth =
  | { kind: "token"; token: string }
  | {
      kind: "app";
      appId: string;
      /** The App's private key, PEM. */
      privateKey: string;
      /** Found from the repository when absent. */
      installationId?: number;
    };

/** Where log lines of the adapter go; never given a token or a header. */
export interface GitHubLog {
  debug(message: string): void;
  warn(message: string): void;
}

/** Options of {@link createGitHubClient}. */
export interface GitHubClientOptions {
  /** `https://api.github.com`, or a GitHub Enterprise Server's `https://host/api/v3`. */
  apiUrl: string;
  owner: string;
  repo: string;
  pullNumber: number;
  auth: GitHubAuth;
  userAgent: string;
  log?: GitHubLog;
  signal?: AbortSignal;
  /** How many times a rate-limited request is tried again (default 3). */
  maxRetries?: number;
  /** The longest wait for one retry (default 60 s); a longer one gives up at once. */
  maxWaitMs?: number;
  /** Waits `ms`; tests pass their own. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

/** GitHub takes at most 50 annotations per check run request. */
export const annotationsPerRequest = 50;

const quiet: GitHubLog = { debug: () => undefined, warn: () => undefined };

/**
 * The GitHub adapter of `bindops review`, on octokit (the only code that imports it): one pull
 * request's comments and check runs, with a token or as a GitHub App installation. Rate limits
 * (403 and 429 with GitHub's headers) are waited out as the headers say, up to `maxRetries`
 * times and `maxWaitMs` each, then fail as `github-rate-limited`. octokit's own throttling and
 * retries are off: their waits are not bounded, and a CLI should say why it stopped.
 */
export async function createGitHubClient(
  options: GitHubClientOptions,
): Promise<GitHubReviewClient> {
  const { owner, repo, pullNumber } = options;
  const log = options.log ?? quiet;
  const Kit = Octokit.defaults({
    baseUrl: options.apiUrl.replace(/\/+$/, ""),
    userAgent: options.userAgent,
    throttle: { enabled: false },
    retry: { enabled: false },
    request: options.signal ? { signal: options.signal } : {},
    log: {
      debug: (message: string) => log.debug(message),
      info: (message: string) => log.debug(message),
      warn: (message: string) => log.warn(message),
      error: (message: string) => log.warn(message),
    },
  });
  let octokit: InstanceType<typeof Kit>;
  if (options.auth.kind === "token") {
    octokit = new Kit({ auth: options.auth.token });
  } else {
    const app = new App({
      appId: options.auth.appId,
      privateKey: options.auth.privateKey,
      Octokit: Kit,
    });
    const installationId =
      options.auth.installationId ??
      (
        await call("find the GitHub App's installation on the repository", () =>
          app.octokit.request("GET /repos/{owner}/{repo}/installation", { owner, repo }),
        )
      ).data.id;
    octokit = await call<InstanceType<typeof Kit>>(
      "authenticate as the GitHub App installation",
      () => app.getInstallationOctokit(installationId),
    );
  }
  retryRateLimits(octokit, options, log);

  return {
    async pullRequest(): Promise<PullRequestInfo> {
      const { data } = await call(`read pull request #${pullNumber} of ${owner}/${repo}`, () =>
        octokit.rest.pulls.get({ owner, repo, pull_number: pullNumber }),
      );
      return {
        number: data.number,
        headSha: data.head.sha,
        baseSha: data.base.sha,
        htmlUrl: data.html_url,
      };
    },

    async upsertComment(marker, body) {
      const found = await call(`list the comments of pull request #${pullNumber}`, async () => {
        const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, {
          owner,
          repo,
          issue_number: pullNumber,
          per_page: 100,
        });
        for await (const page of pages) {
          const comment = page.data.find((c) => c.body?.startsWith(marker));
          if (comment) return comment;
        }
        return undefined;
      });
      if (found === undefined) {
        const { data } = await call(`comment on pull request #${pullNumber}`, () =>
          octokit.rest.issues.createComment({ owner, repo, issue_number: pullNumber, body }),
        );
        return { id: data.id, url: data.html_url, action: "created" as const };
      }
      if (found.body === body)
        return { id: found.id, url: found.html_url, action: "unchanged" as const };
      const { data } = await call(`edit the review comment on pull request #${pullNumber}`, () =>
        octokit.rest.issues.updateComment({ owner, repo, comment_id: found.id, body }),
      );
      return { id: data.id, url: data.html_url, action: "updated" as const };
    },

    async createCheckRun(run: CheckRunRequest) {
      const batches: CheckRunRequest["annotations"][] = [];
      for (let i = 0; i < run.annotations.length; i += annotationsPerRequest) {
        batches.push(run.annotations.slice(i, i + annotationsPerRequest));
      }
      if (batches.length === 0) batches.push([]);
      const last = batches.length - 1;
      const done = () => ({
        status: "completed" as const,
        conclusion: run.conclusion,
        completed_at: new Date().toISOString(),
      });
      const output = (i: number) => ({
        title: run.title,
        summary: run.summary,
        annotations: batches[i]!,
      });
      const { data } = await call(`create the check run "${run.name}"`, () =>
        octokit.rest.checks.create({
          owner,
          repo,
          name: run.name,
          head_sha: run.headSha,
          ...(last === 0 ? done() : { status: "in_progress" as const }),
          output: output(0),
        }),
      );
      // Each update adds its annotations to those the check run has.
      for (let i = 1; i <= last; i++) {
        await call(`add annotations to the check run "${run.name}"`, () =>
          octokit.rest.checks.update({
            owner,
            repo,
            check_run_id: data.id,
            ...(i === last ? done() : {}),
            output: output(i),
          }),
        );
      }
      return { id: data.id, url: data.html_url ?? data.url };
    },
  };
}

/** Wraps every request of `octokit` so that a rate-limited one is tried again after the wait. */
function retryRateLimits(octokit: Octokit, options: GitHubClientOptions, log: GitHubLog): void {
  const maxRetries = options.maxRetries ?? 3;
  const maxWaitMs = options.maxWaitMs ?? 60_000;
  const sleep = options.sleep ?? delay;
  const now = options.now ?? Date.now;
  octokit.hook.wrap("request", async (request, requestOptions) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(requestOptions);
      } catch (error) {
        if (!(error instanceof RequestError) || error.response === undefined) throw error;
        const headers = error.response.headers as Record<string, string | number | undefined>;
        const waitMs = rateLimitWait(
          { status: error.status, headers, message: error.message },
          now(),
        );
        if (waitMs === undefined) throw error;
        // The request as sent (its URL expanded), never its headers.
        const what = `${error.request.method} ${new URL(error.request.url, "http://github.invalid").pathname}`;
        if (attempt >= maxRetries || waitMs > maxWaitMs) {
          const reset = Number(headers["x-ratelimit-reset"]);
          const until =
            headers["x-ratelimit-remaining"] === "0" && Number.isFinite(reset)
              ? `; the limit resets at ${new Date(reset * 1000).toISOString()}`
              : "";
          throw new BindopsError(
            "unreachable",
            "github-rate-limited",
            `GitHub's rate limit stopped ${what} (HTTP ${error.status}, ${attempt} ${attempt === 1 ? "retry" : "retries"}${waitMs > maxWaitMs ? `; it asks to wait ${Math.ceil(waitMs / 1000)} s` : ""})${until}`,
            {
              cause: error,
              hint: "run the review again later, or authenticate as a GitHub App, which has a higher limit",
            },
          );
        }
        log.warn(
          `GitHub rate limit on ${what} (HTTP ${error.status}): waiting ${Math.ceil(waitMs / 1000)} s as its headers say`,
        );
        await sleep(waitMs, options.signal);
      }
    }
  });
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", stop);
      resolve();
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener("abort", stop, { once: true });
  });
}

/**
 * Runs one step against GitHub, turning its failures into errors a user can act on, never quoting
 * a request's headers (they carry the token).
 */
async function call<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw githubError(error, what);
  }
}

function githubError(error: unknown, what: string): unknown {
  if (error instanceof BindopsError) return error;
  if (!(error instanceof RequestError)) {
    // The private key of a GitHub App that cannot be read, and the like.
    if (error instanceof Error && !(error.name === "AbortError")) {
      return new BindopsError(
        "unreachable",
        "github-unreachable",
        `could not ${what}: ${error.message}`,
        {
          cause: error,
        },
      );
    }
    return error;
  }
  const reason = firstLine(error.message);
  if (error.response === undefined) {
    return new BindopsError(
      "unreachable",
      "github-unreachable",
      `could not ${what}: GitHub cannot be reached (${reason})`,
      {
        cause: error,
        hint: "check the network and GITHUB_API_URL",
      },
    );
  }
  switch (error.status) {
    case 401:
      return new BindopsError(
        "unreachable",
        "github-unauthorized",
        `could not ${what}: GitHub refused the credentials (401 ${reason})`,
        {
          cause: error,
          hint: "GITHUB_TOKEN (or the GitHub App's id, key and installation) must be valid",
        },
      );
    case 403:
      return new BindopsError(
        "unreachable",
        "github-forbidden",
        `could not ${what}: GitHub refused (403 ${reason})`,
        {
          cause: error,
          hint: "the token needs pull-requests: write and checks: write; a fork's pull request gets a read-only token",
        },
      );
    case 404:
      return new BindopsError(
        "unreachable",
        "github-not-found",
        `could not ${what}: not found (404), or the token cannot see it`,
        {
          cause: error,
        },
      );
    default:
      return new BindopsError(
        "unreachable",
        "github-refused",
        `could not ${what}: GitHub answered ${error.status} (${reason})`,
        {
          cause: error,
        },
      );
  }
}

function firstLine(message: string): string {
  return message
    .split("\n")[0]!
    .replace(/ - https:\/\/docs\.github\.com\S*$/, "")
    .trim();
}
