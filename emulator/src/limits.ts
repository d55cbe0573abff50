/**
 * Fixed numbers of the Bitrix24 REST API as the emulator reads them from the docs: biconnector lists
 * answer 50 items a page (`page` is 1-based, `start` is ignored, no `total`/`next`), and a `batch`
 * takes at most 50 commands (ERROR_BATCH_LENGTH_EXCEEDED above that).
 */
export const PAGE_SIZE = 50;
export const MAX_BATCH_COMMANDS = 50;
