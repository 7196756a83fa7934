import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { openPrompt } from "../../../src/cli/prompt.js";

describe("terminal prompts (bind's questions)", () => {
  it("takes answers line by line, a blank one as the default, and asks a yes/no question again until answered", async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = "";
    output.setEncoding("utf8").on("data", (chunk: string) => (shown += chunk));
    const prompt = openPrompt(input, output);
    input.write("orders\n\nmaybe\nn\n\n");
    assert.equal(await prompt.text("consumer"), "orders");
    assert.equal(await prompt.text("binding name", "databases"), "databases");
    assert.equal(await prompt.yes("accept the Secrets claim?", true), false);
    assert.equal(await prompt.yes("accept the ConfigMaps claim?", true), true);
    prompt.close();
    assert.match(shown, /binding name \[databases\]: /);
    assert.equal(shown.match(/accept the Secrets claim\? \[Y\/n\]: /g)?.length, 2);
  });
});

describe("terminal prompts when the input ends", () => {
  it("is a usage error, not a wait for ever", async () => {
    const input = new PassThrough();
    const prompt = openPrompt(input, new PassThrough());
    input.end();
    await assert.rejects(prompt.yes("accept?", true), /no answer: the input ended/);
    prompt.close();
  });
});
