#!/usr/bin/env node
// Writes the plugin's Pulumi package schema to schema.json at the repository root, for tools that
// read a schema from a file (`pulumi package add ./schema.json`). The plugin serves the same text
// through GetSchema; tests/plugin checks that the committed file is up to date.
"use strict";
const fs = require("fs");
const path = require("path");
const { packageSchemaJson } = require("../dist/provider/plugin/packageSchema");

const out = path.join(__dirname, "..", "schema.json");
fs.writeFileSync(out, packageSchemaJson());
console.log(`wrote ${path.relative(process.cwd(), out) || out}`);
