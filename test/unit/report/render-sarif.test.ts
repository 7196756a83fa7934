import assert from "node:assert/strict";
import { relativeUri, renderSarif } from "../../../src/report/render-sarif.js";
import { approval, denied, fileLevel, report, rules } from "./fixtures.js";

interface Sarif {
  $schema: string;
  version: string;
  runs: {
    tool: {
      driver: {
        name: string;
        version: string;
        informationUri: string;
        rules: {
          id: string;
          shortDescription: { text: string };
          fullDescription: { text: string };
          help: { text: string };
          defaultConfiguration: { level: string };
        }[];
      };
    };
    originalUriBaseIds: Record<string, { uri?: string; description?: { text: string } }>;
    columnKind: string;
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: {
        physicalLocation: {
          artifactLocation: { uri: string; uriBaseId: string };
          region: { startLine: number; startColumn: number };
        };
      }[];
      properties?: Record<string, unknown>;
    }[];
  }[];
}

const sarifOf = (...args: Parameters<typeof report>) =>
  JSON.parse(renderSarif(report(...args))) as Sarif;

describe("renderSarif", () => {
  it("writes a SARIF 2.1.0 log with one run and the bindops driver", () => {
    const log = sarifOf([]);
    assert.deepEqual(Object.keys(log), ["$schema", "version", "runs"]);
    assert.equal(log.version, "2.1.0");
    assert.equal(
      log.$schema,
      "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
    );
    assert.equal(log.runs.length, 1);
    const [run] = log.runs;
    assert.deepEqual(Object.keys(run!.tool), ["driver"]);
    const { driver } = run!.tool;
    assert.equal(driver.name, "bindops");
    assert.equal(driver.version, "0.1.0");
    assert.match(driver.informationUri, /^https:\/\//);
    assert.equal(run!.columnKind, "utf16CodeUnits");
    assert.deepEqual(run!.results, []);
  });

  it("describes every rule of the report with its default level", () => {
    const { rules: described } = sarifOf([]).runs[0]!.tool.driver;
    assert.deepEqual(described, [
      {
        id: "schema",
        shortDescription: { text: "Documents match their kind's schema." },
        fullDescription: { text: "Documents match their kind's schema." },
        help: { text: "Documents match their kind's schema." },
        defaultConfiguration: { level: "error" },
      },
      {
        id: "policy-denied",
        shortDescription: { text: "A claim policy denies a permission claim." },
        fullDescription: { text: "A claim policy denies a permission claim." },
        help: { text: "Narrow the claim's selector or ask for a policy change." },
        defaultConfiguration: { level: "error" },
      },
      {
        id: "policy-requires-approval",
        shortDescription: { text: "A claim policy asks for approval of a permission claim." },
        fullDescription: { text: "A claim policy asks for approval of a permission claim." },
        help: { text: "A claim policy asks for approval of a permission claim." },
        defaultConfiguration: { level: "warning" },
      },
    ]);
  });

  it("writes one result per finding, in stable order, pointing at its rule by index", () => {
    const run = sarifOf([denied, approval]).runs[0]!;
    assert.deepEqual(run.results, [
      {
        ruleId: "policy-requires-approval",
        ruleIndex: 2,
        level: "warning",
        message: { text: "claim on configmaps needs approval" },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: "consumers/c/bindings/orders.yaml", uriBaseId: "%SRCROOT%" },
              region: { startLine: 3, startColumn: 3 },
            },
          },
        ],
        properties: { pointer: "/spec/permissionClaims/2", document: 0 },
      },
      {
        ruleId: "policy-denied",
        ruleIndex: 1,
        level: "error",
        message: { text: "claim on secrets (selector: MatchAll) is denied" },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: "consumers/c/bindings/orders.yaml", uriBaseId: "%SRCROOT%" },
              region: { startLine: 12, startColumn: 5 },
            },
          },
        ],
        properties: { pointer: "/spec/permissionClaims/0", document: 1 },
      },
    ]);
    for (const result of run.results) {
      assert.equal(run.tool.driver.rules[result.ruleIndex]?.id, result.ruleId);
    }
  });

  it("adds a descriptor for a rule the report does not list, so every ruleIndex resolves", () => {
    const run = sarifOf([fileLevel, denied]).runs[0]!;
    const { rules: described } = run.tool.driver;
    assert.equal(described.length, rules.length + 1);
    assert.equal(described[rules.length]?.id, "yaml-syntax");
    assert.equal(described[rules.length]?.defaultConfiguration.level, "error");
    for (const result of run.results) {
      assert.equal(described[result.ruleIndex]?.id, result.ruleId);
    }
    // A finding about the whole file is placed at its start, with no properties.
    const fileResult = run.results.find((r) => r.ruleId === "yaml-syntax");
    assert.deepEqual(fileResult?.locations[0]?.physicalLocation.region, {
      startLine: 1,
      startColumn: 1,
    });
    assert.equal(fileResult?.properties, undefined);
  });

  it("maps %SRCROOT% to the absolute root as a file URI ending in a slash", () => {
    assert.deepEqual(sarifOf([]).runs[0]!.originalUriBaseIds, {
      "%SRCROOT%": { uri: "file:///home/me/platform/" },
    });
    assert.deepEqual(sarifOf([], { root: "/srv/my repo/" }).runs[0]!.originalUriBaseIds, {
      "%SRCROOT%": { uri: "file:///srv/my%20repo/" },
    });
    assert.deepEqual(sarifOf([], { root: "C:\\work\\repo" }).runs[0]!.originalUriBaseIds, {
      "%SRCROOT%": { uri: "file:///C:/work/repo/" },
    });
    // A relative root cannot become an absolute URI without the file system: described only.
    const relative = sarifOf([], { root: "." }).runs[0]!.originalUriBaseIds["%SRCROOT%"];
    assert.equal(relative?.uri, undefined);
    assert.ok(relative?.description?.text);
  });

  it("percent-encodes file paths into relative URI references", () => {
    assert.equal(relativeUri("policies/defaults.yaml"), "policies/defaults.yaml");
    assert.equal(relativeUri("my dir/a#b?.yaml"), "my%20dir/a%23b%3F.yaml");
    assert.equal(relativeUri("c:odd/%.yaml"), "c%3Aodd/%25.yaml");
    assert.equal(relativeUri("./x.yaml"), "x.yaml");
  });

  it("carries messages with special characters unchanged", () => {
    const message = 'quote " newline \n backslash \\ <tag>';
    const run = sarifOf([{ ...denied, message }]).runs[0]!;
    assert.equal(run.results[0]?.message.text, message);
  });
});
