import { shimOf } from "../shim";

/**
 * The dataset kind's shim as this module's exports: installed under node_modules, state names this
 * module (a `require` by its path) instead of holding the shim's code. See shim.ts.
 */
export = shimOf("dataset");
