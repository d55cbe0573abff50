import { NextFunction, Request, Response } from "express";

/** Every error answer in the Bitrix24 shape: `{error, error_description}`, never an HTML page. */
export function sendError(res: Response, status: number, error: string, description: string): void {
  res.status(status).json({ error, error_description: description });
}

/** Paths nobody serves: JSON 404 instead of Express's HTML page. */
export function unknownPath(_req: Request, res: Response): void {
  sendError(res, 404, "NOT_FOUND", "Unknown path.");
}

/**
 * Errors Express or a body parser raised (bad JSON, a body over the limit, a handler that threw):
 * a JSON answer that names what was wrong, with no stack trace and no file path in it.
 */
export function errorAnswer(bodyLimit: string) {
  return (err: unknown, _req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(err);
    const e = (typeof err === "object" && err !== null ? err : {}) as {
      type?: string;
      status?: number;
    };
    if (e.type === "entity.too.large")
      return sendError(res, 413, "PAYLOAD_TOO_LARGE", `The request body is over ${bodyLimit}.`);
    if (e.type === "entity.parse.failed")
      return sendError(res, 400, "BAD_REQUEST", "The request body is not valid JSON.");
    if (e.status !== undefined && e.status >= 400 && e.status < 500)
      return sendError(res, e.status, "BAD_REQUEST", "The request could not be read.");
    sendError(res, 500, "INTERNAL_SERVER_ERROR", "Internal server error");
  };
}
