/** The semantic checks of `validate`: rules over parsed documents, each with a stable id. */
export { checkCredentials } from "./check-credentials.js";
export { checkRemovedApi } from "./check-removed-api.js";
export { checkWorkloads } from "./check-workloads.js";
export { checkRules, type CheckRule, type CheckRuleId } from "./check-rules.js";
export { checkYaml11Scalars, kubectlValue, type Yaml11Scalar } from "./check-yaml11-scalars.js";
export { runChecks, type RunChecksOptions } from "./run-checks.js";
