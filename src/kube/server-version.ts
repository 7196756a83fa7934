import { BindopsError } from "../core/errors.js";

/** A Kubernetes API server's version, as far as feature support goes. */
export interface ServerVersion {
  major: number;
  minor: number;
  patch: number;
  /** What the server reported, e.g. `v1.29.3-gke.100`; for messages. */
  gitVersion: string;
}

/** The body of `GET /version`, or the part of it this module reads. */
export interface VersionInfo {
  major?: string;
  minor?: string;
  gitVersion?: string;
}

const semverish = /^v?(\d+)\.(\d+)(?:\.(\d+))?/;

/**
 * Reads a server version from `GET /version` or from a version string. `gitVersion` wins when it
 * parses (`v1.20.2`, `v1.29.3-gke.100`, `1.31.0+k3s1`); otherwise `major`/`minor`, which some
 * distributions decorate (`"20+"`).
 */
export function parseServerVersion(input: VersionInfo | string): ServerVersion {
  const info = typeof input === "string" ? { gitVersion: input } : input;
  const git = info.gitVersion?.trim() ?? "";
  const match = semverish.exec(git);
  const fromGit: ServerVersion | undefined = match
    ? {
        major: Number(match[1]),
        minor: Number(match[2]),
        patch: match[3] === undefined ? 0 : Number(match[3]),
        gitVersion: git,
      }
    : undefined;
  // Builds from an untagged tree report `v0.0.0-master+...`; their major/minor fields say more.
  if (fromGit && fromGit.major > 0) return fromGit;
  const major = leadingInt(info.major);
  const minor = leadingInt(info.minor);
  if (major !== undefined && minor !== undefined) {
    return { major, minor, patch: 0, gitVersion: git || `v${major}.${minor}` };
  }
  if (fromGit) return fromGit;
  throw new BindopsError(
    "invalid",
    "server-version",
    `cannot read a Kubernetes version from ${JSON.stringify(input)}`,
  );
}

/** True when `version` is at least `major.minor`. */
export function versionAtLeast(version: ServerVersion, major: number, minor: number): boolean {
  return version.major > major || (version.major === major && version.minor >= minor);
}

/** `v1.20`, as used in messages about what a server supports. */
export function formatMinor(version: ServerVersion): string {
  return `v${version.major}.${version.minor}`;
}

function leadingInt(text: string | undefined): number | undefined {
  const match = /^\s*(\d+)/.exec(text ?? "");
  return match ? Number(match[1]) : undefined;
}
