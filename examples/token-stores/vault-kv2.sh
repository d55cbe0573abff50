#!/bin/sh
# Token store for pulumi-bitrix24-biconnector in HashiCorp Vault KV v2, with check-and-set.
# UNTESTED: no Vault server runs in this project's test environment. Needs curl and jq.
#   bitrix24:tokenStore = command:sh /path/to/vault-kv2.sh
#   VAULT_ADDR, VAULT_TOKEN   as for the vault CLI
#   BITRIX24_VAULT_MOUNT      KV v2 mount (default: secret)
#   BITRIX24_VAULT_PREFIX     folder inside it (default: pulumi-bitrix24)
# The text is kept in the field `tokens` of <mount>/<prefix>/<BITRIX24_TOKEN_KEY>. `store` compares
# the sha256 of the current text with $BITRIX24_TOKEN_EXPECTED_SHA256 (exit 3 when it differs),
# then writes with Vault's own check-and-set (`options.cas` = the version just read), so a writer
# that got in between also makes it exit 3.
set -eu
: "${VAULT_ADDR:?VAULT_ADDR is not set}" "${VAULT_TOKEN:?VAULT_TOKEN is not set}"
key="${BITRIX24_TOKEN_KEY:?BITRIX24_TOKEN_KEY is not set}"
url="$VAULT_ADDR/v1/${BITRIX24_VAULT_MOUNT:-secret}/data/${BITRIX24_VAULT_PREFIX:-pulumi-bitrix24}/$key"

read_secret() {
  # Prints the JSON answer, or nothing for 404 (no secret yet).
  code=$(curl -sS -o "$1" -w '%{http_code}' -H "X-Vault-Token: $VAULT_TOKEN" "$url")
  case "$code" in
  200) ;;
  404) : >"$1" ;;
  *) echo "vault-kv2.sh: GET returned HTTP $code" >&2; exit 1 ;;
  esac
}

tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.in"' EXIT
case "${1:-}" in
get)
  read_secret "$tmp"
  [ -s "$tmp" ] && jq -j '.data.data.tokens // empty' "$tmp"
  exit 0
  ;;
store)
  cat >"$tmp.in"
  read_secret "$tmp"
  version=0
  current=""
  if [ -s "$tmp" ]; then
    version=$(jq -r '.data.metadata.version' "$tmp")
    if [ -n "$(jq -j '.data.data.tokens // empty' "$tmp")" ]; then
      current=$(jq -j '.data.data.tokens' "$tmp" | sha256sum | cut -d' ' -f1)
    fi
  fi
  [ "$current" = "${BITRIX24_TOKEN_EXPECTED_SHA256-}" ] || exit 3
  body=$(jq -Rs --argjson cas "$version" '{options: {cas: $cas}, data: {tokens: .}}' <"$tmp.in")
  code=$(printf '%s' "$body" | curl -sS -o "$tmp" -w '%{http_code}' -X POST \
    -H "X-Vault-Token: $VAULT_TOKEN" -H "Content-Type: application/json" --data-binary @- "$url")
  case "$code" in
  200 | 204) ;;
  400) grep -q 'check-and-set' "$tmp" && exit 3
    echo "vault-kv2.sh: POST returned HTTP 400" >&2; exit 1 ;;
  *) echo "vault-kv2.sh: POST returned HTTP $code" >&2; exit 1 ;;
  esac
  ;;
*)
  echo "usage: vault-kv2.sh get|store" >&2
  exit 2
  ;;
esac
