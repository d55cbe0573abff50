import { Bitrix24Client } from "../../core/client/client";
import { ConnectorProvider } from "../../core/lifecycle/connectorProvider";
import { DatasetProvider } from "../../core/lifecycle/datasetProvider";
import { SourceProvider } from "../../core/lifecycle/sourceProvider";
import { PortalItem, PortalObjects } from "./plan";

/** What a read reports while it goes (objects read, requests so far). */
export type Progress = (line: string) => void;

/**
 * Every connector, source and dataset the application sees, each dataset with its columns: the
 * three lists paged by id (50 a request), then one `get` per dataset (lists lack the columns),
 * all asked at once so that they travel 50 to a `batch`. Within the portal's budget like every
 * other call: the client's limiter paces the requests. `connector` (an id or an exact title)
 * narrows it to that connector, its sources and their datasets.
 */
export async function readPortal(
  client: Bitrix24Client,
  connector: string | undefined,
  progress: Progress,
  tickMs = 5_000,
): Promise<PortalObjects> {
  const started = Date.now();
  // A long read says it is alive: requests so far, and the time spent (mostly waiting for the
  // portal's request budget, which the client shares with every other application).
  const ticker = setInterval(
    () =>
      progress(
        `still reading: ${client.stats.requests} requests in ${Math.round((Date.now() - started) / 1000)} s ` +
          `(${client.stats.rateLimited} refused by the portal's rate limit and waited for)`,
      ),
    tickMs,
  );
  try {
    return await readAll(client, connector, progress);
  } finally {
    clearInterval(ticker);
  }
}

async function readAll(
  client: Bitrix24Client,
  connector: string | undefined,
  progress: Progress,
): Promise<PortalObjects> {
  const requests = () => `${client.stats.requests} requests`;
  const datasets = new DatasetProvider();
  // The three lists at once: their first pages travel together in one `batch`.
  const [allConnectors, allSources, allDatasets] = await Promise.all([
    new ConnectorProvider().lookupAll(client),
    new SourceProvider().lookupAll(client),
    datasets.lookupAll(client),
  ]);
  let connectors: PortalItem[] = allConnectors;
  if (connector !== undefined) {
    connectors = connectors.filter((c) => String(c.id) === connector || c.title === connector);
    if (connectors.length !== 1)
      throw new Error(
        `--connector ${JSON.stringify(connector)}: ${connectors.length ? "several connectors have that title; give the id" : "no connector of this application has that id or title"}`,
      );
  }
  const connectorIds = new Set(connectors.map((c) => c.id));
  const sources = allSources.filter((s) => connectorIds.has(Number(s.connectorId)));
  const sourceIds = new Set(sources.map((s) => s.id));
  const listed = allDatasets.filter((d) => sourceIds.has(Number(d.sourceId)));
  progress(
    `read ${connectors.length} connectors, ${sources.length} sources, ${listed.length} datasets (${requests()})`,
  );
  const full = await Promise.all(
    // What the list says (sourceId) stands in for what `get` lacks: one request per 50 datasets.
    listed.map((d) => datasets.lookup(client, d.id, d)),
  );
  // Deleted between the list and its get: no longer there to adopt.
  const withColumns = full.filter((d): d is NonNullable<typeof d> => d !== undefined);
  progress(`read ${withColumns.length} datasets with their columns (${requests()})`);
  return { connector: connectors, source: sources, dataset: withColumns };
}
