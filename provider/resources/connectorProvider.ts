import type * as pulumi from "@pulumi/pulumi";
import { Bitrix24Error } from "../client/errors";
import { currentClient } from "../client/registry";
import { connectorSchema } from "../schema/connector";
import { diffFields } from "../schema/diff";
import { fromApiItem, inputsFromOutputs, toAddFields, toUpdateFields } from "../schema/mapping";
import { JsonObject, isJsonObject } from "../schema/spec";
import { normalizeInputs, validateInputs } from "../schema/validate";
import { addExactlyOnce, isClaimed } from "./reconcile";
import { withoutProviderKey, parseId } from "./common";

const M = {
  add: "biconnector.connector.add",
  get: "biconnector.connector.get",
  list: "biconnector.connector.list",
  update: "biconnector.connector.update",
  delete: "biconnector.connector.delete",
} as const;

/**
 * The Connector's lifecycle against biconnector.connector.*. Holds no credential: the client is
 * looked up from the settings in force (stack config given to configure(), then env) at call time.
 */
export class ConnectorProvider implements pulumi.dynamic.ResourceProvider {
  async check(_olds: unknown, news: unknown): Promise<pulumi.dynamic.CheckResult> {
    const inputs = withoutProviderKey(news);
    const failures = validateInputs(connectorSchema, inputs);
    if (failures.length || !isJsonObject(inputs)) return { inputs: news, failures };
    return { inputs: normalizeInputs(connectorSchema, inputs) };
  }

  async diff(_id: string, olds: JsonObject, news: JsonObject): Promise<pulumi.dynamic.DiffResult> {
    const d = diffFields(connectorSchema, olds, withoutProviderKey(news));
    return {
      changes: d.changed.length > 0,
      replaces: d.replaces,
      deleteBeforeReplace: d.deleteBeforeReplace,
    };
  }

  async create(news: JsonObject): Promise<pulumi.dynamic.CreateResult> {
    const client = currentClient();
    const inputs = normalizeInputs(connectorSchema, withoutProviderKey(news));
    const fields = toAddFields(connectorSchema, inputs);
    const id = await addExactlyOnce(
      client,
      "connector",
      async () => {
        const r = await client.call(M.add, { fields });
        return parseId(isJsonObject(r) ? r.id : undefined, M.add);
      },
      () => this.findCommitted(inputs),
    );
    const outs = await this.fetch(String(id));
    return { id: String(id), outs: outs ?? inputs };
  }

  async read(id: string, _props?: JsonObject): Promise<pulumi.dynamic.ReadResult> {
    const outs = await this.fetch(id);
    if (!outs) return {}; // deleted out of band: refresh drops it from state
    return { id, props: outs, inputs: inputsFromOutputs(connectorSchema, outs) };
  }

  async update(
    id: string,
    olds: JsonObject,
    news: JsonObject,
  ): Promise<pulumi.dynamic.UpdateResult> {
    const inputs = normalizeInputs(connectorSchema, withoutProviderKey(news));
    const { changed } = diffFields(connectorSchema, olds, inputs);
    const fields = toUpdateFields(connectorSchema, inputs, changed);
    if (Object.keys(fields).length) {
      try {
        await currentClient().call(M.update, { id: parseId(id, M.update), fields });
      } catch (e) {
        if (e instanceof Bitrix24Error && e.code === "CONNECTOR_NOT_FOUND")
          throw new Error(
            `${e.message}. Connector ${id} was deleted outside Pulumi: run \`pulumi refresh\`, then \`pulumi up\` re-creates it.`,
            { cause: e },
          );
        throw e;
      }
    }
    // update answers `true` only; the stored values are what we sent, dateCreate does not change.
    return { outs: { ...inputs, dateCreate: olds.dateCreate ?? null } };
  }

  async delete(id: string, _props: JsonObject): Promise<void> {
    try {
      await currentClient().callCoalesced(M.delete, { id: parseId(id, M.delete) });
    } catch (e) {
      if (e instanceof Bitrix24Error && e.code === "CONNECTOR_NOT_FOUND") return; // already gone
      if (e instanceof Bitrix24Error && e.code === "CONNECTOR_DELETE_RESTRICTED")
        throw new Error(
          `${e.message}. Connector ${id} still has sources (BI Builder connections) using it: delete those ` +
            "first. Sources managed in this stack are deleted first automatically when they take the " +
            "connector's id as their connectorId.",
          { cause: e },
        );
      throw e;
    }
  }

  /** The connector as the portal has it, or undefined when it no longer exists. */
  private async fetch(id: string): Promise<JsonObject | undefined> {
    try {
      const r = await currentClient().callCoalesced(M.get, { id: parseId(id, M.get) });
      return fromApiItem(connectorSchema, isJsonObject(r) ? r.item : undefined);
    } catch (e) {
      if (e instanceof Bitrix24Error && e.code === "CONNECTOR_NOT_FOUND") return undefined;
      throw e;
    }
  }

  /** After a lost `add` answer: the newest unclaimed connector with exactly these fields, if any. */
  private async findCommitted(inputs: JsonObject): Promise<number | undefined> {
    const client = currentClient();
    const items = await client.listAll(M.list, {
      filter: { title: inputs.title ?? "" },
      order: { id: "DESC" },
    });
    for (const item of items) {
      const id = Number(item.id);
      if (!Number.isInteger(id) || isClaimed(client.settings.portal, "connector", id)) continue;
      if (
        diffFields(connectorSchema, fromApiItem(connectorSchema, item), inputs).changed.length === 0
      )
        return id;
    }
    return undefined;
  }
}
