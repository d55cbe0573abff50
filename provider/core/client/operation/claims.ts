/**
 * Ids this process created or adopted on one portal: a lost-answer reconciliation never takes
 * over an object that another resource of the same deployment already owns.
 */
export class Claims {
  private readonly ids = new Set<string>();

  claim(object: string, id: number | string): void {
    this.ids.add(`${object}:${id}`);
  }

  isClaimed(object: string, id: number | string): boolean {
    return this.ids.has(`${object}:${id}`);
  }
}
