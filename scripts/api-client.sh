#!/usr/bin/env bash
# Checks what the API gives other systems with tools nobody here wrote: openapi-spec-validator must
# find the OpenAPI document valid, openapi-python-client must generate a client from it with which
# a signed-in applicant opens a case, reads it back and finds it in her list
# (scripts/api-client.py) and with which an administrator makes an API token that a station's
# kiosk then calls with until it is revoked (scripts/api-token.py), and jwcrypto must verify a
# certificate offline from the published keys (also scanned from its PDF's QR code) and refuse a
# tampered copy (scripts/verify-certificate.py); and `qiaoyi check-ids` must judge held-out zones
# and resident ID numbers as the mrz package and python-stdnum do (scripts/identifiers.py); and
# wechatpy must speak to the WeChat callback as the platform does (scripts/wechat-check.py: the
# server runs with Tencent's sample account, as scripts/test.sh starts it).
#
#   scripts/api-client.sh http://127.0.0.1:8080   # against a running demo
#   scripts/api-client.sh --install-only         # only the install below (scripts/test.sh, while Rust builds)
#
# Installs the tools (fixed versions) from PyPI into target/client-venv the first time.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/client-venv
validator=0.9.0
generator=0.29.1
jose=1.5.6
mrz=0.6.2
stdnum=2.2
wechatpy=1.8.18
if ! "$venv/bin/pip" freeze 2>/dev/null | grep -qx "openapi-python-client==$generator" \
  || ! "$venv/bin/pip" freeze 2>/dev/null | grep -qx "openapi-spec-validator==$validator" \
  || ! "$venv/bin/pip" freeze 2>/dev/null | grep -qx "jwcrypto==$jose" \
  || ! "$venv/bin/pip" freeze 2>/dev/null | grep -qx "mrz==$mrz" \
  || ! "$venv/bin/pip" freeze 2>/dev/null | grep -qx "python-stdnum==$stdnum" \
  || ! "$venv/bin/pip" freeze 2>/dev/null | grep -qx "wechatpy==$wechatpy"; then
  # A venv moved or made by another checkout keeps paths that no longer exist: start afresh.
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "openapi-spec-validator==$validator" \
    "openapi-python-client==$generator" "jwcrypto==$jose" "mrz==$mrz" "python-stdnum==$stdnum" \
    "wechatpy[cryptography]==$wechatpy"
fi
[ "${1:-}" = --install-only ] && exit 0
base="$1"
out=target/api-client
rm -rf "$out"
mkdir -p "$out"
curl -fsS "$base/api/v1/openapi.json" -o "$out/openapi.json"
echo "== openapi-spec-validator"
"$venv/bin/openapi-spec-validator" "$out/openapi.json"
echo "== openapi-python-client"
# Any warning about a part of the document it could not read fails the check: a client missing an
# operation or a model is not a client generated from a valid document.
"$venv/bin/openapi-python-client" generate --path "$out/openapi.json" --output-path "$out/qiaoyi_api_client" \
  --meta none --config scripts/api-client.yml --fail-on-warning
echo "== the generated client, used"
mapfile -t headers < <(python3 scripts/api-session.py "$base" applicant@qiaoyi.example \
  "qiaoyi demo pass 2026" JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP)
PYTHONPATH="$out" "$venv/bin/python" scripts/api-client.py "$base" "${headers[@]}"
echo "== an API token, made, used by another system and revoked"
mapfile -t admin_headers < <(python3 scripts/api-session.py "$base" admin@qiaoyi.example \
  "qiaoyi demo pass 2026" JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP)
PYTHONPATH="$out" "$venv/bin/python" scripts/api-token.py "$base" "${admin_headers[@]}"
echo "== a certificate verified offline with jwcrypto"
"$venv/bin/python" scripts/verify-certificate.py "$base" "${headers[@]}"
echo "== the WeChat callback, spoken to by wechatpy"
"$venv/bin/python" scripts/wechat-check.py "$base"
echo "== held-out identity numbers, judged as mrz and python-stdnum judge them"
"$venv/bin/python" scripts/identifiers.py ./target/debug/qiaoyi
