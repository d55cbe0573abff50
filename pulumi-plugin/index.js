// Loaded by the Node.js language host for `pulumi package add ./pulumi-plugin`: the repository's
// build (dist/, from `npm ci` or `npm run build`) serves the plugin and prints its port.
"use strict";
require("../dist/provider/plugin/main").runPlugin();
