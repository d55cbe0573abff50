import { Router, urlencoded } from "express";

/** Credentials the sample connector endpoint accepts (local test values). */
export interface SampleConnectorOptions {
  login: string;
  password: string;
}

const TABLES = [{ code: "deals", title: "Deals" }];
const COLUMNS = [
  { code: "deal_id", name: "Deal ID", type: "int" },
  { code: "amount", name: "Amount", type: "double" },
  { code: "closed_at", name: "Closed at", type: "datetime" },
];
const ROWS = [
  [1, 1200.5, "2024-08-30T12:19:57+02:00"],
  [2, 99.0, "2024-09-02T09:00:00+02:00"],
];

/**
 * A connector endpoint that follows the Bitrix24 connector contract: form-encoded POSTs with
 * `connection[<code>]`; only HTTP 200 counts. Sources on the emulator call its urlCheck, so the
 * whole pipeline (connector → source → dataset) runs locally.
 */
export function sampleConnector(opts: SampleConnectorOptions): Router {
  const r = Router();
  r.use(urlencoded({ extended: true }));
  const authorized = (body: unknown): boolean => {
    const c = (body as { connection?: Record<string, unknown> })?.connection ?? {};
    return c.login === opts.login && c.password === opts.password;
  };
  r.post("/check", (req, res) => {
    if (authorized(req.body)) res.json({ ok: true });
    else res.status(401).send("");
  });
  r.post("/table_list", (req, res) => {
    if (!authorized(req.body)) return void res.status(401).send("");
    const search = String((req.body as { searchString?: string }).searchString ?? "").toLowerCase();
    res.json(TABLES.filter((t) => t.title.toLowerCase().includes(search)));
  });
  r.post("/table_description", (req, res) => {
    if (!authorized(req.body)) return void res.status(401).send("");
    res.json((req.body as { table?: string }).table === "deals" ? COLUMNS : []);
  });
  r.post("/data", (req, res) => {
    if (!authorized(req.body)) return void res.status(401).send("");
    const limit = Number((req.body as { limit?: string }).limit ?? ROWS.length);
    res.json([COLUMNS.map((c) => c.code), ...ROWS.slice(0, limit)]);
  });
  return r;
}
