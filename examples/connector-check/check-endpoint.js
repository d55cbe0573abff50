#!/usr/bin/env node
// Checks a connector's urlCheck endpoint the way Bitrix24 calls it (connector contract): POST,
// application/x-www-form-urlencoded, every setting as connection[<code>]=<value>; only HTTP 200
// with a non-empty body counts as success. Usage: node check-endpoint.js <urlCheck>
// Setting values come from CONNECTION_<CODE> environment variables (CONNECTION_LOGIN → login),
// so secrets never appear on a command line.
"use strict";

async function main() {
  const url = process.argv[2];
  if (!url || !/^https?:\/\//.test(url)) {
    console.error("usage: check-endpoint.js <http(s) urlCheck>");
    return 2;
  }
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(process.env)) {
    const m = /^CONNECTION_([A-Z0-9_]+)$/.exec(key);
    if (m && value !== undefined) form.append(`connection[${m[1].toLowerCase()}]`, value);
  }
  let res;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: form.toString(),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (e) {
    console.error(`urlCheck ${url} is unreachable: ${e.cause?.code ?? e.message}`);
    return 1;
  }
  const body = (await res.text()).trim();
  if (res.status !== 200) {
    console.error(`urlCheck ${url} answered HTTP ${res.status}; Bitrix24 needs 200`);
    return 1;
  }
  if (body === "") {
    console.error(`urlCheck ${url} answered an empty body; Bitrix24 needs a non-empty one`);
    return 1;
  }
  console.log(
    `urlCheck ${url} answers as the connector contract requires (HTTP 200, ${body.length} bytes)`,
  );
  return 0;
}

main().then((code) => process.exit(code));
