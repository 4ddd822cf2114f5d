// Copy the dist files the designer needs from node_modules into web/static/vendor/ (run: npm run vendor).
// The copies are committed so that the app works offline in a closed network; no CDN is ever used.
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "node_modules");
const target = path.join(__dirname, "..", "static", "vendor");

const copies = [
  ["bpmn-js/dist/bpmn-modeler.production.min.js", "bpmn-js/bpmn-modeler.production.min.js"],
  ["bpmn-js/dist/bpmn-navigated-viewer.production.min.js", "bpmn-js/bpmn-navigated-viewer.production.min.js"],
  ["bpmn-js/dist/assets", "bpmn-js/assets"],
  ["dmn-js/dist/dmn-modeler.production.min.js", "dmn-js/dmn-modeler.production.min.js"],
  ["dmn-js/dist/assets", "dmn-js/assets"],
  ["camunda-bpmn-moddle/resources/camunda.json", "camunda-bpmn-moddle/camunda.json"],
];

function copy(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.cpSync(from, to, { recursive: true });
}

const versions = {};
for (const [from, to] of copies) {
  copy(path.join(root, from), path.join(target, to));
  const pkg = from.split("/")[0];
  versions[pkg] = require(path.join(root, pkg, "package.json")).version;
}
for (const pkg of Object.keys(versions)) {
  const licence = path.join(root, pkg, "LICENSE");
  if (fs.existsSync(licence)) copy(licence, path.join(target, pkg, "LICENSE"));
}
fs.writeFileSync(path.join(target, "VERSIONS.json"), JSON.stringify(versions, null, 2) + "\n");
console.log("vendored", versions);
