/** The static site's stylesheet and script: plain files, no external assets, no build step. */

export const siteCss = `:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --card: #f6f8fa;
  --accent: #0b5cad; --high: #a40e26; --medium: #7a4d00; --low: #1a6334; --info: #57606a;
  --focus: #0b5cad;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9da7b3; --line: #30363d; --card: #161b22;
    --accent: #6cb6ff; --high: #ff8182; --medium: #e3b341; --low: #56d364; --info: #9da7b3;
    --focus: #6cb6ff;
  }
}
* { box-sizing: border-box; }
body { margin: 0; overflow-wrap: anywhere; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--fg); }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -9999px; top: 0; background: var(--bg); padding: .5rem 1rem; z-index: 1; }
.skip:focus { left: 1rem; }
header, main, footer { max-width: 72rem; margin: 0 auto; padding: 1rem; }
header { border-bottom: 1px solid var(--line); }
header p { margin: .25rem 0 0; color: var(--muted); }
h1 { font-size: 1.6rem; margin: 0; }
h2 { font-size: 1.25rem; }
footer { color: var(--muted); font-size: .875rem; border-top: 1px solid var(--line); }
form.filters { display: grid; gap: .75rem; grid-template-columns: 2fr 1fr 1fr auto; align-items: end; margin-bottom: 1rem; }
form.filters label { display: block; font-weight: 600; font-size: .875rem; }
form.filters input[type=search], form.filters select { width: 100%; font: inherit; padding: .4rem .5rem; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); }
form.filters .check { display: flex; gap: .4rem; align-items: center; padding-bottom: .5rem; }
form.filters .check label { font-weight: normal; font-size: 1rem; }
#count { color: var(--muted); margin: 0 0 .5rem; }
ul.templates { list-style: none; padding: 0; margin: 0; display: grid; gap: .75rem; grid-template-columns: repeat(auto-fill, minmax(20rem, 1fr)); }
ul.templates li { border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem; background: var(--card); }
ul.templates li[hidden] { display: none; }
ul.templates h2 { margin: 0 0 .25rem; font-size: 1.1rem; }
.provider { color: var(--muted); font-weight: normal; }
.meta { color: var(--muted); font-size: .875rem; margin: .25rem 0; }
.badge { display: inline-block; border: 1px solid currentColor; border-radius: 999px; padding: 0 .5rem; font-size: .8rem; margin: 0 .25rem .25rem 0; }
.grade-high { color: var(--high); } .grade-medium { color: var(--medium); } .grade-low { color: var(--low); } .grade-info { color: var(--info); }
.effect-deny { color: var(--high); } .effect-require-approval { color: var(--medium); } .effect-allow { color: var(--low); }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .95rem; }
th, td { overflow-wrap: break-word; text-align: left; border-bottom: 1px solid var(--line); padding: .35rem .5rem; vertical-align: top; }
.table-wrap { overflow-x: auto; }
ol.claims { padding-left: 1.25rem; }
ol.claims li { margin-bottom: 1rem; }
.words { font-size: 1.05rem; margin: .25rem 0; }
pre { overflow-wrap: normal; background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .75rem; overflow-x: auto; font-size: .875rem; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
button { font: inherit; padding: .35rem .8rem; border-radius: 6px; border: 1px solid var(--line); background: var(--card); color: var(--fg); cursor: pointer; }
nav.crumbs ol { list-style: none; padding: 0; margin: 0 0 .5rem; display: flex; gap: .5rem; flex-wrap: wrap; }
nav.crumbs li + li::before { content: "/"; margin-right: .5rem; color: var(--muted); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 40rem) {
  form.filters { grid-template-columns: 1fr; }
  ul.templates { grid-template-columns: 1fr; }
  header, main, footer { padding: .75rem; }
}
`;

export const siteJs = `"use strict";
(function () {
  var form = document.getElementById("filters");
  if (form) {
    var list = document.getElementById("templates");
    var count = document.getElementById("count");
    var q = document.getElementById("q");
    var provider = document.getElementById("provider");
    var kind = document.getElementById("kind");
    var secrets = document.getElementById("secrets");
    var items = Array.prototype.map.call(list.children, function (li) {
      return {
        li: li,
        text: li.getAttribute("data-text") || "",
        provider: li.getAttribute("data-provider") || "",
        kinds: (li.getAttribute("data-kinds") || "").split(" "),
        secrets: li.getAttribute("data-secrets") === "true"
      };
    });
    var total = items.length;
    var apply = function () {
      var words = q.value.toLowerCase().split(/\\s+/).filter(Boolean);
      var p = provider.value, k = kind.value, s = secrets.checked, shown = 0;
      for (var i = 0; i < items.length; i++) {
        var it = items[i];
        var ok = (!p || it.provider === p) && (!k || it.kinds.indexOf(k) >= 0) && (!s || it.secrets);
        for (var w = 0; ok && w < words.length; w++) ok = it.text.indexOf(words[w]) >= 0;
        if (it.li.hidden === ok) it.li.hidden = !ok;
        if (ok) shown++;
      }
      count.textContent = shown === total
        ? total + (total === 1 ? " template" : " templates")
        : shown + " of " + total + " templates";
    };
    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (e) { e.preventDefault(); apply(); });
    document.addEventListener("keydown", function (e) {
      var t = e.target && e.target.tagName;
      if (e.key === "/" && t !== "INPUT" && t !== "SELECT" && t !== "TEXTAREA") {
        e.preventDefault();
        q.focus();
      }
    });
    apply();
  }
  var buttons = document.querySelectorAll("button[data-copy]");
  Array.prototype.forEach.call(buttons, function (button) {
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      var status = document.getElementById(button.getAttribute("data-status"));
      var text = source.textContent;
      var said = function (message) { if (status) status.textContent = message; };
      var select = function () {
        var range = document.createRange();
        range.selectNodeContents(source);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        said("Selected: press Ctrl+C (or Cmd+C) to copy.");
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () { said("Copied."); }, select);
      } else {
        select();
      }
    });
  });
})();
`;
