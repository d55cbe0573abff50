/**
 * Fixed numbers of the biconnector API (docs/bitrix24-api.md#batch, #lists), read by the client and
 * by the emulator alike.
 */
/** Lists return 50 items a page and no `total`: a shorter page is the last one. */
export const LIST_PAGE_SIZE = 50;
/** `batch` takes at most 50 commands (ERROR_BATCH_LENGTH_EXCEEDED above that). */
export const MAX_BATCH_COMMANDS = 50;
