import type { FormatDefinition } from "ajv";
import type * as AjvFormats from "ajv-formats/dist/formats.js";
import { createRequire } from "node:module";

/** ajv-formats' own formats, loaded when a document first has a value of one of them. */
let formatsModule: typeof AjvFormats | undefined;
function full(): typeof AjvFormats.fullFormats {
  formatsModule ??= createRequire(import.meta.url)(
    "ajv-formats/dist/formats.js",
  ) as typeof AjvFormats;
  return formatsModule.fullFormats;
}

/*
 * The string formats the Kubernetes API server checks in CRD schemas (kube-openapi's strfmt
 * registry), with its leniency: a `date-time` may lack a time zone, a `duration` is Go's
 * (`5m0s`, `1h30m`, `3 days`), a `uri` is anything Go's url.Parse takes. Formats outside this
 * table are not checked, as Kubernetes ignores formats it does not know; number formats (`int32`,
 * `int64`, `float`, `double`) are accepted without a range check, as Kubernetes does.
 */

const dateTime =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?$/;
const monthDays = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isDateTime(value: string): boolean {
  const m = dateTime.exec(value);
  if (!m) return false;
  const month = Number(m[2]);
  const day = Number(m[3]);
  const year = Number(m[1]);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const maxDay = month === 2 && !leap ? 28 : (monthDays[month - 1] ?? 0);
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= maxDay &&
    Number(m[4]) <= 23 &&
    Number(m[5]) <= 59 &&
    Number(m[6] ?? 0) <= 60
  );
}

const duration = /^[+-]?(?:0|(?:(?:\d+(?:\.\d*)?|\.\d+)\s*[A-Za-zµμ]+\s*)+)$/;
const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const mac =
  /^(?:[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5,19}|[0-9A-Fa-f]{4}(?:\.[0-9A-Fa-f]{4}){2,9})$/;
const hex = (n: number) => `[0-9a-f]{${n}}`;
const uuid = (third: string, fourth: string) =>
  new RegExp(`^${hex(8)}-?${hex(4)}-?${third}-?${fourth}-?${hex(12)}$`, "i");

function test(format: unknown, value: string): boolean {
  if (format instanceof RegExp) return format.test(value);
  if (typeof format === "function") return Boolean((format as (v: string) => unknown)(value));
  if (typeof format === "object" && format !== null && "validate" in format) {
    return test((format as FormatDefinition<string>).validate, value);
  }
  return true;
}

function cidr(value: string): boolean {
  const slash = value.indexOf("/");
  if (slash < 0) return false;
  const address = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return false;
  if (test(full().ipv4, address)) return Number(bits) <= 32;
  return test(full().ipv6, address) && Number(bits) <= 128;
}

/** What Go's url.Parse takes: no spaces or control characters, only complete %-escapes. */
function isUri(value: string): boolean {
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (code <= 0x20 || code === 0x7f) return false;
  }
  return !/%(?![0-9A-Fa-f]{2})/.test(value);
}

const anyNumber: FormatDefinition<number> = { type: "number", validate: () => true };

/** Format name → ajv format, for every format bindops checks. */
export const kubernetesFormats: Readonly<
  Record<string, FormatDefinition<string> | FormatDefinition<number>>
> = {
  "date-time": { type: "string", validate: isDateTime },
  datetime: { type: "string", validate: isDateTime },
  date: { type: "string", validate: (v) => test(full().date, v) },
  duration: { type: "string", validate: duration },
  byte: { type: "string", validate: base64 },
  uri: {
    type: "string",
    validate: isUri,
  },
  email: { type: "string", validate: (v) => test(full().email, v) },
  hostname: { type: "string", validate: (v) => test(full().hostname, v) },
  ipv4: { type: "string", validate: (v) => test(full().ipv4, v) },
  ipv6: { type: "string", validate: (v) => test(full().ipv6, v) },
  cidr: { type: "string", validate: cidr },
  mac: { type: "string", validate: mac },
  uuid: { type: "string", validate: uuid(hex(4), hex(4)) },
  uuid3: { type: "string", validate: uuid(`3${hex(3)}`, hex(4)) },
  uuid4: { type: "string", validate: uuid(`4${hex(3)}`, `[89ab]${hex(3)}`) },
  uuid5: { type: "string", validate: uuid(`5${hex(3)}`, `[89ab]${hex(3)}`) },
  password: { type: "string", validate: () => true },
  int32: anyNumber,
  int64: anyNumber,
  float: anyNumber,
  double: anyNumber,
};

/** What a finding says a value of a format must be. */
export const formatDescriptions: Readonly<Record<string, string>> = {
  "date-time": "a date-time (RFC 3339, e.g. 2024-05-01T12:00:00Z)",
  datetime: "a date-time (RFC 3339, e.g. 2024-05-01T12:00:00Z)",
  date: "a date (YYYY-MM-DD)",
  duration: "a duration such as 30s, 5m0s or 1h30m",
  byte: "base64-encoded data",
  uri: "a URI",
  email: "an email address",
  hostname: "a host name",
  ipv4: "an IPv4 address",
  ipv6: "an IPv6 address",
  cidr: "a CIDR such as 10.0.0.0/8",
  mac: "a MAC address",
  uuid: "a UUID",
  uuid3: "a version 3 UUID",
  uuid4: "a version 4 UUID",
  uuid5: "a version 5 UUID",
};
