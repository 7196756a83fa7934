/**
 * The string formats bindops checks with patterns: the names Kubernetes and kube-bind validate, as regular expressions that both JavaScript
 * and Go's RE2 accept (the API server evaluates the patterns of the CRDs bindops generates), with
 * the length limits that go with them. `describe` gives the words a finding uses instead of the
 * pattern itself.
 */
export const stringFormats = {
  /** DNS-1123 subdomain: most object names. At most 253 characters. */
  subdomain: {
    pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
    maxLength: 253,
    describe:
      "a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', starting and ending with a letter or digit)",
  },
  /** DNS-1123 label: namespaces, cluster names. At most 63 characters. */
  label: {
    pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
    maxLength: 63,
    describe:
      "a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit)",
  },
  /** DNS-1035 label: Service names; starts with a letter. At most 63 characters. */
  dns1035Label: {
    pattern: "^[a-z]([-a-z0-9]*[a-z0-9])?$",
    maxLength: 63,
    describe:
      "a DNS-1035 label (lower-case letters, digits and '-', starting with a letter and ending with a letter or digit)",
  },
  /** RBAC object names only need to be usable as a URL path segment (`system:aggregate-to-edit`). */
  pathSegment: {
    pattern: "^([^/%.][^/%]*|\\.[^/%.][^/%]*|\\.\\.[^/%]+)$",
    maxLength: 253,
    describe: "a name usable in a URL path (not '.' or '..', no '/' or '%')",
  },
  /** Label and annotation keys: an optional DNS subdomain prefix and `/`, then a name. */
  qualifiedName: {
    pattern:
      "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$",
    maxLength: 317,
    describe:
      "a qualified name ([prefix/]name: a name of at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)",
  },
  /** Label values: empty, or up to 63 letters, digits, `-`, `_`, `.`, alphanumeric at both ends. */
  labelValue: {
    pattern: "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$",
    maxLength: 63,
    describe:
      "a label value (empty, or letters, digits, '-', '_' and '.', starting and ending with a letter or digit)",
  },
  /** kube-bind's API group pattern: empty (the core group) or a DNS subdomain. */
  group: {
    pattern: "^(|[a-z0-9]([-a-z0-9]*[a-z0-9](\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?)$",
    maxLength: 253,
    describe: 'an API group: "" for the core group, or a DNS subdomain',
  },
  /** kube-bind's resource pattern: a lower-case plural of at least two characters. */
  resource: {
    pattern: "^[a-z][-a-z0-9]*[a-z0-9]$",
    maxLength: 63,
    describe:
      "a resource name (lower-case plural: letters, digits and '-', starting with a letter, at least 2 characters)",
  },
  /** Kubernetes-style version names as CRDs order them: v1, v1alpha1, v2beta3. */
  kubeVersion: {
    pattern: "^v[1-9][0-9]*([a-z]+[1-9][0-9]*)?$",
    maxLength: 63,
    describe: "a Kubernetes version name such as v1, v1alpha1 or v2beta3",
  },
  /** A git author: `Name <email>`. */
  gitAuthor: {
    pattern: "^[^<>]*[^<>\\s] <[^<>\\s]+>$",
    maxLength: undefined,
    describe: "a git author: Name <email>",
  },
  /** Free text that has to say something. */
  notBlank: {
    pattern: "\\S",
    maxLength: undefined,
    describe: "non-blank text",
  },
} as const;

export type StringFormat = keyof typeof stringFormats;

const descriptions = new Map<string, string>(
  Object.values(stringFormats).map((format) => [format.pattern, format.describe]),
);

/** The words for a pattern bindops uses, or `undefined` for a pattern from elsewhere (a CRD). */
export function describePattern(pattern: string): string | undefined {
  return descriptions.get(pattern);
}
