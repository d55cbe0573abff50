import { JsonObject } from "./json";

/** A stored object and the OAuth application that owns it (objects are visible to their app only). */
export interface Owned {
  id: number;
  owner: string;
  fields: JsonObject;
}

/** The portal's data: what tests and the demo inspect and edit "in the portal", out of band. */
export class PortalState {
  readonly connectors = new Map<number, Owned>();
  readonly sources = new Map<number, Owned>();
  readonly datasets = new Map<number, Owned>();
  private nextId = 1;

  newId(): number {
    return this.nextId++;
  }

  /** Portal time as biconnector returns it: `Y-m-d H:i:s`, no zone. */
  static now(): string {
    return new Date().toISOString().replace("T", " ").slice(0, 19);
  }

  reset(): void {
    this.connectors.clear();
    this.sources.clear();
    this.datasets.clear();
  }
}
