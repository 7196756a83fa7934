import assert from "node:assert/strict";
import { checkYaml11Scalars, type Yaml11Scalar } from "../../../src/checks/index.js";

const scalar = (source: string, key = false, pointer = "/data/x"): Yaml11Scalar => ({
  source,
  key,
  pointer,
  line: 7,
  col: 3,
});
const messages = (...scalars: Yaml11Scalar[]) =>
  checkYaml11Scalars(scalars, "cm.yaml", 2).map((f) => f.message);

describe("checkYaml11Scalars", () => {
  it("reports a key YAML 1.1 reads as a boolean, with both readings, where it is", () => {
    const findings = checkYaml11Scalars([scalar("n", true, "/data/n")], "cm.yaml", 2);
    assert.deepEqual(findings, [
      {
        severity: "warning",
        rule: "yaml11-ambiguous",
        message:
          'key `n` is the string "n" in YAML 1.2 but false in kubectl (YAML 1.1); quote it if a string is meant',
        location: { file: "cm.yaml", document: 2, pointer: "/data/n", line: 7, col: 3 },
      },
    ]);
  });

  it("reports the YAML 1.1 booleans yes/no/on/off/y/n in their YAML 1.1 spellings", () => {
    for (const text of ["yes", "Yes", "YES", "on", "ON", "y", "Y"]) {
      assert.match(messages(scalar(text))[0] ?? "", /but true in kubectl/, text);
    }
    for (const text of ["no", "No", "off", "Off", "OFF", "N"]) {
      assert.match(messages(scalar(text))[0] ?? "", /but false in kubectl/, text);
    }
  });

  it("leaves alone what both versions read alike", () => {
    assert.deepEqual(
      messages(
        ...[
          "true",
          "False",
          "yEs",
          "nope",
          "0",
          "00",
          "07",
          "08",
          "0x1F",
          "0o755",
          "1.5",
          "12",
          "hello",
          "10:70",
        ].map((s) => scalar(s)),
      ),
      [],
    );
  });

  it("reports octal-looking numbers with both values", () => {
    assert.deepEqual(messages(scalar("0755")), [
      "value `0755` is the number 755 in YAML 1.2 but the octal number 493 in kubectl (YAML 1.1); quote it if a string is meant",
    ]);
    assert.match(
      messages(scalar("-010"))[0] ?? "",
      /number -10 in YAML 1.2 but the octal number -8/,
    );
  });

  it("reports numbers with underscores, which YAML 1.2 reads as strings", () => {
    assert.match(
      messages(scalar("1_000"))[0] ?? "",
      /the string "1_000" in YAML 1.2 but the number 1000/,
    );
  });

  it("reports sexagesimal numbers, read in base 60 by YAML 1.1 readers", () => {
    assert.match(
      messages(scalar("1:20"))[0] ?? "",
      /the string "1:20" in YAML 1.2 but the base-60 number 80/,
    );
    assert.match(messages(scalar("1:02:03"))[0] ?? "", /base-60 number 3723/);
  });
});
