/** An error the emulated portal answers with: module errors ride in `result.error` with HTTP 200. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly description: string,
    /** HTTP status; module errors are 200 with the error inside `result`. */
    readonly status = 200,
    /** Root-level `{error, error_description}` (system and auth errors) instead of `result.error`. */
    readonly root = false,
  ) {
    super(`${code}: ${description}`);
  }
}

export const systemError = (status: number, code: string, description: string): ApiError =>
  new ApiError(code, description, status, true);
