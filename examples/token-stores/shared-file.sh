#!/bin/sh
# Token store for pulumi-bitrix24-biconnector: one file per key in a folder on a shared volume
# (NFS, SMB, a CI cache mount), with check-and-set under flock(1).
#   bitrix24:tokenStore = command:sh /path/to/shared-file.sh
#   BITRIX24_TOKEN_DIR  = the shared folder (default /mnt/shared/bitrix24-tokens)
# Protocol: `get` prints the stored text for $BITRIX24_TOKEN_KEY (nothing when none); `store`
# reads the new text on stdin and refuses with exit status 3 when the current text's sha256 is
# not $BITRIX24_TOKEN_EXPECTED_SHA256 (empty when `get` printed nothing).
set -eu
dir="${BITRIX24_TOKEN_DIR:-/mnt/shared/bitrix24-tokens}"
key="${BITRIX24_TOKEN_KEY:?BITRIX24_TOKEN_KEY is not set}"
file="$dir/$key.json"
umask 077

case "${1:-}" in
get)
  # The lock also keeps a reader from seeing a half-replaced file on file systems without
  # atomic rename.
  [ -d "$dir" ] || exit 0
  exec 9>"$dir/.lock"
  flock -w 30 9
  [ -f "$file" ] && cat "$file"
  exit 0
  ;;
store)
  mkdir -p "$dir"
  exec 9>"$dir/.lock"
  flock -w 30 9 || { echo "shared-file.sh: lock $dir/.lock busy for 30 s" >&2; exit 1; }
  current=""
  if [ -s "$file" ]; then current=$(sha256sum "$file" | cut -d' ' -f1); fi
  if [ "$current" != "${BITRIX24_TOKEN_EXPECTED_SHA256-}" ]; then exit 3; fi
  tmp="$file.$$.tmp"
  cat >"$tmp"
  mv -f "$tmp" "$file"
  ;;
*)
  echo "usage: shared-file.sh get|store" >&2
  exit 2
  ;;
esac
