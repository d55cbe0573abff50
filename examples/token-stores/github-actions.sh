#!/bin/sh
# Token store for pulumi-bitrix24-biconnector on GitHub Actions: the pair lives in a repository
# secret, read from the job's environment and written back with the `gh` CLI.
#   bitrix24:tokenStore     = command:sh ./github-actions.sh
#   BITRIX24_TOKENS         = ${{ secrets.BITRIX24_TOKENS }}   (the stored text; empty at first)
#   BITRIX24_SECRET_NAME    = BITRIX24_TOKENS                  (the secret to write back)
#   GH_TOKEN                = a token allowed to set repository secrets (the default
#                             GITHUB_TOKEN is not: use a fine-grained token with "Secrets: write")
# A secret cannot be read back through the API, so this store cannot check-and-set: serialize
# the deployments (a workflow `concurrency:` group). Within one job the program and the provider
# process both use it, so the newest text is also kept in $RUNNER_TEMP and preferred by `get`.
# UNTESTED against GitHub: the project's tests run it with a stand-in `gh` on PATH.
set -eu
key="${BITRIX24_TOKEN_KEY:?BITRIX24_TOKEN_KEY is not set}"
local_copy="${RUNNER_TEMP:-/tmp}/bitrix24-$key.json"
umask 077

case "${1:-}" in
get)
  if [ -s "$local_copy" ]; then cat "$local_copy"; else printf '%s' "${BITRIX24_TOKENS:-}"; fi
  ;;
store)
  current=""
  if [ -s "$local_copy" ]; then
    current=$(sha256sum "$local_copy" | cut -d' ' -f1)
  elif [ -n "${BITRIX24_TOKENS:-}" ]; then
    current=$(printf '%s' "$BITRIX24_TOKENS" | sha256sum | cut -d' ' -f1)
  fi
  [ "$current" = "${BITRIX24_TOKEN_EXPECTED_SHA256-}" ] || exit 3
  cat >"$local_copy.tmp"
  mv -f "$local_copy.tmp" "$local_copy"
  # Nothing stored yet and nothing to store (the provider's proving write): leave the secret be.
  [ -s "$local_copy" ] || exit 0
  gh secret set "${BITRIX24_SECRET_NAME:-BITRIX24_TOKENS}" <"$local_copy"
  ;;
*)
  echo "usage: github-actions.sh get|store" >&2
  exit 2
  ;;
esac
