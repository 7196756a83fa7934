import { createPublicKey, verify, type KeyObject } from "node:crypto";
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for the parts of GitHub's REST API that `bindops review --github` uses, with
 * GitHub's response shapes and headers: pull requests, issue comments (listed 30 a page unless
 * `per_page` says otherwise, up to 100, with a `Link` header whose URLs use the
 * `/repositories/{id}/` form, as GitHub's do), check runs (annotations appended per request, at
 * most 50 each, 422 otherwise), GitHub App installation tokens (the JWT's RS256 signature checked
 * against the App's public key), `x-ratelimit-*` headers on every response, and failures a test
 * queues (rate limits, outages). It records every request it receives.
 */
export interface FakeGitHub {
  /** The API's base URL, for `GITHUB_API_URL`. */
  url: string;
  requests: RecordedRequest[];
  /** Token → what it may do; `read` tokens get 403 on every write, as a fork's token does. */
  tokens: Map<string, "write" | "read">;
  /** Tokens that may not create check runs (a personal access token). */
  noChecks: Set<string>;
  addRepository(fullName: string): Repository;
  /** Queues a response for the next `times` requests that `match`. */
  fail(
    match: (request: RecordedRequest) => boolean,
    response: QueuedResponse,
    times?: number,
  ): void;
  /** A GitHub App whose JWTs are accepted and whose installation tokens may write. */
  addApp(appId: number, publicKeyPem: string, installationId: number): void;
  close(): Promise<void>;
}

export interface RecordedRequest {
  method: string;
  /** Without the query. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface QueuedResponse {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

export interface Comment {
  id: number;
  body: string;
  user: { login: string; id: number; type: string };
  created_at: string;
  updated_at: string;
}

export interface CheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  completed_at: string | null;
  output: { title: string; summary: string };
  annotations: Record<string, unknown>[];
  /** The annotations of each request, in order. */
  batches: number[];
}

export interface Repository {
  id: number;
  fullName: string;
  pulls: Map<number, { headSha: string; baseSha: string }>;
  comments: Map<number, Comment[]>;
  checkRuns: CheckRun[];
}

const docs = "https://docs.github.com/rest";
const bot = { login: "github-actions[bot]", id: 41898282, type: "Bot" };

export async function startFakeGitHub(): Promise<FakeGitHub> {
  const repositories = new Map<string, Repository>();
  const requests: RecordedRequest[] = [];
  const tokens = new Map<string, "write" | "read">();
  const noChecks = new Set<string>();
  const queued: {
    match: (r: RecordedRequest) => boolean;
    response: QueuedResponse;
    times: number;
  }[] = [];
  const apps = new Map<number, { key: KeyObject; installationId: number }>();
  let nextId = 1000;
  let used = 0;
  let url = "";

  const server = createServer((req, res) => {
    void readBody(req).then((text) => {
      const parsed = new URL(req.url ?? "/", "http://localhost");
      let body: unknown = undefined;
      try {
        body = text === "" ? undefined : JSON.parse(text);
      } catch {
        return send(res, 400, {
          message: "Problems parsing JSON",
          documentation_url: docs,
          status: "400",
        });
      }
      const request: RecordedRequest = {
        method: req.method ?? "GET",
        path: parsed.pathname,
        query: Object.fromEntries(parsed.searchParams),
        headers: req.headers,
        body,
      };
      requests.push(request);
      const failure = queued.find((q) => q.times > 0 && q.match(request));
      if (failure) {
        failure.times--;
        return send(res, failure.response.status, failure.response.body, failure.response.headers);
      }
      handle(request, res);
    });
  });

  function send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    used++;
    res.writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      "x-github-media-type": "github.v3; format=json",
      "x-github-api-version-selected": "2022-11-28",
      "x-github-request-id": `FAKE:${requests.length}`,
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": String(Math.max(0, 5000 - used)),
      "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
      "x-ratelimit-used": String(used),
      "x-ratelimit-resource": "core",
      ...headers,
    });
    res.end(body === undefined ? "" : JSON.stringify(body));
  }

  const notFound = (res: ServerResponse, doc: string) =>
    send(res, 404, { message: "Not Found", documentation_url: `${docs}/${doc}`, status: "404" });
  const invalid = (res: ServerResponse, message: string, doc: string) =>
    send(res, 422, { message, documentation_url: `${docs}/${doc}`, status: "422" });

  /** The token a request carries (`token X` or `Bearer X`), or the App a JWT is signed by. */
  function credentials(request: RecordedRequest): { token?: string; appId?: number } {
    const header = request.headers.authorization ?? "";
    const [scheme, value = ""] = header.split(" ");
    if (scheme?.toLowerCase() === "bearer" && value.split(".").length === 3) {
      const appId = verifyJwt(value);
      return appId === undefined ? {} : { appId };
    }
    return tokens.has(value) ? { token: value } : {};
  }

  function verifyJwt(jwt: string): number | undefined {
    const [header = "", payload = "", signature = ""] = jwt.split(".");
    let claims: { iss?: unknown; exp?: unknown; iat?: unknown };
    try {
      claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as typeof claims;
    } catch {
      return undefined;
    }
    const appId = Number(claims.iss);
    const app = apps.get(appId);
    if (app === undefined || typeof claims.exp !== "number" || claims.exp * 1000 < Date.now())
      return undefined;
    const ok = verify(
      "RSA-SHA256",
      Buffer.from(`${header}.${payload}`),
      app.key,
      Buffer.from(signature, "base64url"),
    );
    return ok ? appId : undefined;
  }

  type Who = { token?: string; appId?: number };
  type Handler = (match: string[], request: RecordedRequest, res: ServerResponse, who: Who) => void;
  /** method, path, handler, and whether it takes an App's JWT (others take a token). */
  const routes: [string, RegExp, Handler, "jwt" | "token"][] = [
    ["POST", /^\/app\/installations\/(\d+)\/access_tokens$/, installationToken, "jwt"],
    ["GET", /^\/repos\/([^/]+\/[^/]+)\/installation$/, repositoryInstallation, "jwt"],
    ["GET", /^\/repos\/([^/]+\/[^/]+)\/pulls\/(\d+)$/, getPull, "token"],
    ["GET", /^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)\/comments$/, getComments, "token"],
    ["GET", /^\/repositories\/(\d+)\/issues\/(\d+)\/comments$/, getComments, "token"],
    ["POST", /^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)\/comments$/, createComment, "token"],
    ["PATCH", /^\/repos\/([^/]+\/[^/]+)\/issues\/comments\/(\d+)$/, updateComment, "token"],
    ["POST", /^\/repos\/([^/]+\/[^/]+)\/check-runs$/, createCheckRun, "token"],
    ["PATCH", /^\/repos\/([^/]+\/[^/]+)\/check-runs\/(\d+)$/, updateCheckRun, "token"],
  ];

  function handle(request: RecordedRequest, res: ServerResponse): void {
    const who = credentials(request);
    if (who.token === undefined && who.appId === undefined) {
      return send(res, 401, { message: "Bad credentials", documentation_url: docs, status: "401" });
    }
    for (const [method, pattern, handler, takes] of routes) {
      const match = pattern.exec(request.path);
      if (match === null || method !== request.method) continue;
      if ((takes === "jwt") !== (who.appId !== undefined)) {
        return send(res, 401, {
          message:
            takes === "jwt"
              ? "A JSON web token could not be decoded"
              : "A JSON web token cannot be used here",
          documentation_url: docs,
          status: "401",
        });
      }
      return handler([...match], request, res, who);
    }
    return notFound(res, "");
  }

  const canWrite = (who: Who) => who.token !== undefined && tokens.get(who.token) === "write";
  const forbidden = (res: ServerResponse, doc: string) =>
    send(res, 403, {
      message: "Resource not accessible by integration",
      documentation_url: `${docs}/${doc}`,
      status: "403",
    });
  const bodyOf = (request: RecordedRequest) =>
    (request.body as { body?: unknown } | undefined)?.body;

  function installationToken(match: string[], _r: RecordedRequest, res: ServerResponse, who: Who) {
    const app = apps.get(who.appId!);
    if (app === undefined || String(app.installationId) !== match[1]) {
      return notFound(res, "apps/apps#create-an-installation-access-token-for-an-app");
    }
    const token = `ghs_installation${nextId++}`;
    tokens.set(token, "write");
    return send(res, 201, {
      token,
      expires_at: new Date(Date.now() + 3600_000).toISOString(),
      permissions: { checks: "write", pull_requests: "write", metadata: "read" },
      repository_selection: "all",
    });
  }

  function repositoryInstallation(
    match: string[],
    _r: RecordedRequest,
    res: ServerResponse,
    who: Who,
  ) {
    if (!repositories.has(match[1]!)) {
      return notFound(res, "apps/apps#get-a-repository-installation-for-the-authenticated-app");
    }
    return send(res, 200, {
      id: apps.get(who.appId!)!.installationId,
      account: { login: match[1]!.split("/")[0], type: "Organization" },
      app_id: who.appId,
      target_type: "Organization",
      permissions: { checks: "write", pull_requests: "write", metadata: "read" },
      events: [],
      repository_selection: "all",
    });
  }

  function getPull(match: string[], _r: RecordedRequest, res: ServerResponse) {
    const repo = repositories.get(match[1]!);
    const pull = repo?.pulls.get(Number(match[2]));
    if (repo === undefined || pull === undefined) {
      return notFound(res, "pulls/pulls#get-a-pull-request");
    }
    return send(res, 200, pullRequestOf(repo, Number(match[2]), pull));
  }

  /** The comments of a pull request that exists, or undefined after answering 404. */
  function commentsOf(match: string[], res: ServerResponse, doc: string) {
    const repo = repositoryOf(match[1]!);
    const number = Number(match[2]);
    if (repo === undefined || !repo.pulls.has(number)) {
      notFound(res, doc);
      return undefined;
    }
    const comments = repo.comments.get(number) ?? [];
    repo.comments.set(number, comments);
    return { repo, number, comments };
  }

  function getComments(match: string[], request: RecordedRequest, res: ServerResponse) {
    const found = commentsOf(match, res, "issues/comments#list-issue-comments");
    if (found) listComments(res, found.repo, found.number, found.comments, request.query);
  }

  function createComment(match: string[], request: RecordedRequest, res: ServerResponse, who: Who) {
    const doc = "issues/comments#create-an-issue-comment";
    const found = commentsOf(match, res, doc);
    if (found === undefined) return;
    if (!canWrite(who)) return forbidden(res, doc);
    const text = bodyOf(request);
    if (typeof text !== "string" || text === "") {
      return invalid(res, 'Invalid request.\n\n"body" wasn\'t supplied.', doc);
    }
    if (text.length > 65536) {
      return invalid(res, "Validation Failed: body is too long (maximum is 65536 characters)", doc);
    }
    const now = new Date().toISOString();
    const comment: Comment = {
      id: nextId++,
      body: text,
      user: bot,
      created_at: now,
      updated_at: now,
    };
    found.comments.push(comment);
    return send(res, 201, commentOf(found.repo, found.number, comment), {
      location: `${url}/repos/${found.repo.fullName}/issues/comments/${comment.id}`,
    });
  }

  function updateComment(match: string[], request: RecordedRequest, res: ServerResponse, who: Who) {
    const doc = "issues/comments#update-an-issue-comment";
    const repo = repositories.get(match[1]!);
    const id = Number(match[2]);
    const found = [...(repo?.comments ?? new Map<number, Comment[]>())].flatMap(([number, list]) =>
      list.filter((c) => c.id === id).map((c) => ({ number, comment: c })),
    )[0];
    if (repo === undefined || found === undefined) return notFound(res, doc);
    if (!canWrite(who)) return forbidden(res, doc);
    const text = bodyOf(request);
    if (typeof text !== "string")
      return invalid(res, 'Invalid request.\n\n"body" wasn\'t supplied.', doc);
    found.comment.body = text;
    found.comment.updated_at = new Date().toISOString();
    return send(res, 200, commentOf(repo, found.number, found.comment));
  }

  function createCheckRun(
    match: string[],
    request: RecordedRequest,
    res: ServerResponse,
    who: Who,
  ) {
    const doc = "checks/runs#create-a-check-run";
    const repo = repositories.get(match[1]!);
    if (repo === undefined) return notFound(res, doc);
    if (!canWrite(who)) return forbidden(res, doc);
    if (noChecks.has(who.token!)) {
      return send(res, 403, {
        message: "You must authenticate via a GitHub App.",
        documentation_url: `${docs}/${doc}`,
        status: "403",
      });
    }
    const input = (request.body ?? {}) as Record<string, unknown>;
    if (typeof input.name !== "string" || typeof input.head_sha !== "string") {
      return invalid(res, 'Invalid request.\n\n"name" and "head_sha" are required.', doc);
    }
    const run: CheckRun = {
      id: nextId++,
      name: input.name,
      head_sha: input.head_sha,
      status: "queued",
      conclusion: null,
      completed_at: null,
      output: { title: "", summary: "" },
      annotations: [],
      batches: [],
    };
    const problem = applyCheckRun(run, input);
    if (problem) return invalid(res, problem, doc);
    repo.checkRuns.push(run);
    return send(res, 201, checkRunOf(repo, run));
  }

  function updateCheckRun(
    match: string[],
    request: RecordedRequest,
    res: ServerResponse,
    who: Who,
  ) {
    const doc = "checks/runs#update-a-check-run";
    const repo = repositories.get(match[1]!);
    const run = repo?.checkRuns.find((r) => r.id === Number(match[2]));
    if (repo === undefined || run === undefined) return notFound(res, doc);
    if (!canWrite(who)) return forbidden(res, doc);
    const problem = applyCheckRun(run, (request.body ?? {}) as Record<string, unknown>);
    if (problem) return invalid(res, problem, doc);
    return send(res, 200, checkRunOf(repo, run));
  }

  /** A check run's fields from a create or update request; a message when GitHub would refuse it. */
  function applyCheckRun(run: CheckRun, input: Record<string, unknown>): string | undefined {
    const output = input.output as
      { title?: unknown; summary?: unknown; annotations?: unknown } | undefined;
    if (output !== undefined) {
      if (typeof output.title !== "string" || typeof output.summary !== "string") {
        return 'Invalid request.\n\n"title" and "summary" are required in output.';
      }
      if (output.summary.length > 65535)
        return "Invalid request.\n\noutput.summary is too long (maximum is 65535 characters).";
      const annotations = Array.isArray(output.annotations)
        ? (output.annotations as Record<string, unknown>[])
        : [];
      if (annotations.length > 50) {
        return "Invalid request.\n\nOnly 50 annotations may be sent per request; update the check run for more.";
      }
      for (const a of annotations) {
        const ok =
          typeof a.path === "string" &&
          typeof a.start_line === "number" &&
          typeof a.end_line === "number" &&
          ["notice", "warning", "failure"].includes(String(a.annotation_level)) &&
          typeof a.message === "string";
        if (!ok)
          return "Invalid request.\n\nEach annotation needs path, start_line, end_line, annotation_level and message.";
        if (typeof a.title === "string" && a.title.length > 255)
          return "Invalid request.\n\nannotation title is too long.";
      }
      run.output = { title: output.title, summary: output.summary };
      run.annotations.push(...annotations);
      run.batches.push(annotations.length);
    }
    if (typeof input.status === "string") run.status = input.status;
    if (typeof input.conclusion === "string") {
      run.conclusion = input.conclusion;
      run.status = "completed";
    }
    if (input.status === "completed" && typeof input.conclusion !== "string") {
      return 'Invalid request.\n\n"conclusion" is required when status is completed.';
    }
    if (typeof input.completed_at === "string") run.completed_at = input.completed_at;
    return undefined;
  }

  function listComments(
    res: ServerResponse,
    repo: Repository,
    number: number,
    comments: Comment[],
    query: Record<string, string>,
  ): void {
    const perPage = Math.min(100, Math.max(1, Number(query.per_page ?? 30) || 30));
    const last = Math.max(1, Math.ceil(comments.length / perPage));
    const page = Math.max(1, Number(query.page ?? 1) || 1);
    const slice = comments.slice((page - 1) * perPage, page * perPage);
    const link = (p: number) =>
      `<${url}/repositories/${repo.id}/issues/${number}/comments?per_page=${perPage}&page=${p}>`;
    const links: string[] = [];
    if (page > 1) links.push(`${link(page - 1)}; rel="prev"`);
    if (page < last) links.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
    if (page > 1) links.push(`${link(1)}; rel="first"`);
    send(
      res,
      200,
      slice.map((c) => commentOf(repo, number, c)),
      links.length > 0 ? { link: links.join(", ") } : {},
    );
  }

  function commentOf(repo: Repository, number: number, c: Comment) {
    return {
      url: `${url}/repos/${repo.fullName}/issues/comments/${c.id}`,
      html_url: `https://github.example/${repo.fullName}/pull/${number}#issuecomment-${c.id}`,
      issue_url: `${url}/repos/${repo.fullName}/issues/${number}`,
      id: c.id,
      node_id: `IC_${c.id}`,
      user: { ...c.user, node_id: `U_${c.user.id}`, site_admin: false },
      created_at: c.created_at,
      updated_at: c.updated_at,
      author_association: c.user.type === "Bot" ? "NONE" : "MEMBER",
      body: c.body,
      reactions: { url: "", total_count: 0 },
      performed_via_github_app: null,
    };
  }

  function checkRunOf(repo: Repository, run: CheckRun) {
    return {
      id: run.id,
      node_id: `CR_${run.id}`,
      head_sha: run.head_sha,
      external_id: "",
      url: `${url}/repos/${repo.fullName}/check-runs/${run.id}`,
      html_url: `https://github.example/${repo.fullName}/runs/${run.id}`,
      details_url: `https://github.example/${repo.fullName}/runs/${run.id}`,
      status: run.status,
      conclusion: run.conclusion,
      started_at: new Date().toISOString(),
      completed_at: run.completed_at,
      output: {
        title: run.output.title,
        summary: run.output.summary,
        text: null,
        annotations_count: run.annotations.length,
        annotations_url: `${url}/repos/${repo.fullName}/check-runs/${run.id}/annotations`,
      },
      name: run.name,
      check_suite: { id: 1 },
      app: { id: 15368, slug: "github-actions", name: "GitHub Actions" },
      pull_requests: [],
    };
  }

  function pullRequestOf(
    repo: Repository,
    number: number,
    pull: { headSha: string; baseSha: string },
  ) {
    const repoJson = {
      id: repo.id,
      node_id: `R_${repo.id}`,
      name: repo.fullName.split("/")[1],
      full_name: repo.fullName,
      private: false,
      owner: { login: repo.fullName.split("/")[0], id: 1, type: "Organization" },
      html_url: `https://github.example/${repo.fullName}`,
      fork: false,
    };
    return {
      url: `${url}/repos/${repo.fullName}/pulls/${number}`,
      id: 100 + number,
      node_id: `PR_${number}`,
      html_url: `https://github.example/${repo.fullName}/pull/${number}`,
      number,
      state: "open",
      locked: false,
      title: "Change bindings",
      user: { login: "octocat", id: 583231, type: "User" },
      body: null,
      created_at: "2024-01-01T00:00:00Z",
      updated_at: "2024-01-01T00:00:00Z",
      draft: false,
      merged: false,
      mergeable: null,
      head: {
        label: "acme:pr",
        ref: "pr",
        sha: pull.headSha,
        user: repoJson.owner,
        repo: repoJson,
      },
      base: {
        label: "acme:main",
        ref: "main",
        sha: pull.baseSha,
        user: repoJson.owner,
        repo: repoJson,
      },
    };
  }

  function repositoryOf(key: string): Repository | undefined {
    return /^\d+$/.test(key)
      ? [...repositories.values()].find((r) => r.id === Number(key))
      : repositories.get(key);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    tokens,
    noChecks,
    addRepository(fullName) {
      const repo: Repository = {
        id: 70000 + repositories.size,
        fullName,
        pulls: new Map(),
        comments: new Map(),
        checkRuns: [],
      };
      repositories.set(fullName, repo);
      return repo;
    },
    fail(match, response, times = 1) {
      queued.push({ match, response, times });
    },
    addApp(appId, publicKeyPem, installationId) {
      apps.set(appId, { key: createPublicKey(publicKeyPem), installationId });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
