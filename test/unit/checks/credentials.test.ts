import assert from "node:assert/strict";
import { runChecks } from "../../../src/checks/index.js";
import { crdDoc, databaseSchema, doc, messageOf, repositoryDoc, where } from "./fixtures.js";

const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow==\n-----END RSA PRIVATE KEY-----\n";

describe("credential checks", () => {
  it("reports credentials in a kubeconfig committed to the repository", () => {
    const findings = runChecks([
      doc("kubeconfig.yaml", {
        apiVersion: "v1",
        kind: "Config",
        users: [
          { name: "a", user: { token: "eyJhbGciOi" } },
          {
            name: "b",
            user: { "client-key-data": "LS0tLS1CRUdJTg==", "client-certificate-data": "LS0t" },
          },
          { name: "c", user: { username: "admin", password: "hunter2" } },
          {
            name: "d",
            user: { "auth-provider": { config: { "id-token": "x", "client-secret": "y" } } },
          },
        ],
      }),
    ]);
    assert.deepEqual(where(findings, "credential-in-repo"), [
      ["kubeconfig.yaml", "/users/0/user/token"],
      ["kubeconfig.yaml", "/users/1/user/client-key-data"],
      ["kubeconfig.yaml", "/users/2/user/password"],
      ["kubeconfig.yaml", "/users/3/user/auth-provider/config/id-token"],
      ["kubeconfig.yaml", "/users/3/user/auth-provider/config/client-secret"],
    ]);
  });

  it("reports credentials in bindops.yaml's cluster entries, pointing to where they belong", () => {
    const findings = runChecks([
      repositoryDoc({
        provider: { role: "provider", token: "abc" },
        consumer: { role: "consumer", kubeconfig: "kubeconfigs/consumer.yaml" },
      }),
    ]);
    assert.deepEqual(where(findings, "credential-in-repo"), [
      ["bindops.yaml", "/spec/clusters/provider/token"],
    ]);
    assert.match(messageOf(findings, "credential-in-repo"), /--kubeconfig-dir/);
  });

  it("reports PEM private keys and inline kubeconfigs in any string", () => {
    const findings = runChecks([
      doc("cm.yaml", {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "x" },
        data: {
          "tls.key": pem,
          kubeconfig: "apiVersion: v1\nkind: Config\nusers:\n- name: a\n  user:\n    token: abc\n",
          "ca.crt": "-----BEGIN CERTIFICATE-----\nMII=\n-----END CERTIFICATE-----\n",
        },
      }),
    ]);
    assert.deepEqual(where(findings, "credential-in-repo"), [
      ["cm.yaml", "/data/tls.key"],
      ["cm.yaml", "/data/kubeconfig"],
    ]);
  });

  it("ignores schemas, empty values, placeholders and references to secrets", () => {
    const schema = {
      ...databaseSchema,
      properties: { password: { type: "string", default: "changeme" }, token: { type: "string" } },
    };
    const findings = runChecks([
      crdDoc({ versions: [{ name: "v1", schema }] }),
      doc("x.yaml", {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "x" },
        data: {
          password: "",
          token: "${TOKEN}",
          apiKey: "{{ .Values.key }}",
          secret: "db-creds",
          passwordSecretRef: "db",
        },
      }),
      doc("s.yaml", {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "s" },
        stringData: { password: "" },
      }),
    ]);
    assert.deepEqual(findings, []);
  });

  it("warns about a Secret with data, and reports the credentials among its values as errors", () => {
    const findings = runChecks([
      doc("s.yaml", {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "db", namespace: "orders" },
        stringData: { password: "hunter2", "tls.key": pem },
      }),
      doc("t.yaml", {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "t" },
        data: {
          token: "YWJj",
          "ca.crt": Buffer.from("-----BEGIN CERTIFICATE-----\nMIIB\n").toString("base64"),
          "key.pem": Buffer.from(pem).toString("base64"),
          blank: Buffer.from("").toString("base64"),
        },
      }),
      doc("u.yaml", {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "u" },
        data: { config: Buffer.from("debug: true\n").toString("base64") },
      }),
    ]);
    assert.deepEqual(where(findings, "plain-secret"), [
      ["s.yaml", "/stringData"],
      ["t.yaml", "/data"],
      ["u.yaml", "/data"],
    ]);
    assert.deepEqual(where(findings, "credential-in-repo"), [
      ["s.yaml", "/stringData/password"],
      ["s.yaml", "/stringData/tls.key"],
      ["t.yaml", "/data/token"],
      ["t.yaml", "/data/key.pem"],
    ]);
    assert.ok(findings.every((f) => f.rule !== "credential-in-repo" || f.severity === "error"));
    assert.match(
      messageOf(findings, "plain-secret"),
      /Secret orders\/db .*sealed-secrets or external-secrets/,
    );
  });
});
