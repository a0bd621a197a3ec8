# Verifies a certificate as a foreign office would, offline, with a JOSE library nobody here wrote
# (jwcrypto): the signing keys from /.well-known/jwks.json, the certificate as the compact JWS its
# QR code carries (fetched here from /api/v1/verify/{id}), and a tampered copy that must fail.
# Signs in as the demo applicant only to find her certificate's id. Exits non-zero on a mismatch.
#   python scripts/verify-certificate.py BASE "Cookie: …" "X-CSRF-Token: …"
import json, sys, urllib.request

from jwcrypto import jwk, jws
from jwcrypto.common import base64url_decode, base64url_encode

base, *header_lines = sys.argv[1:]
headers = dict(line.split(": ", 1) for line in header_lines)


def get(path, signed_in=False):
    req = urllib.request.Request(base + path, headers=headers if signed_in else {})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read().decode())


def check(condition, message):
    if not condition:
        sys.exit(f"FAIL {message}")


certificate_id = None
for case in get("/api/v1/cases?limit=100", signed_in=True)["items"]:
    detail = get(f"/api/v1/cases/{case['id']}", signed_in=True)
    if detail.get("certificate"):
        certificate_id = detail["certificate"]["id"]
        break
check(certificate_id, "the demo applicant has a certificate")

# What the foreign office has: the published keys (fetched once, kept) and the QR code's JWS.
keys = jwk.JWKSet.from_json(json.dumps(get("/.well-known/jwks.json")))
answer = get(f"/api/v1/verify/{certificate_id}")
token = answer["jws"]
check(token and token.count(".") == 2, f"the verification answer carries a compact JWS: {token!r}")

signed = jws.JWS()
signed.deserialize(token)
kid = signed.jose_header["kid"]
check(signed.jose_header["alg"] == "EdDSA", f"signed with EdDSA, not {signed.jose_header['alg']}")
signed.verify(keys.get_key(kid))
payload = json.loads(signed.payload)
check(payload["id"] == certificate_id, "the JWS is this certificate")
check(payload["holder_name"] == answer["certificate"]["holder_name"], "it says what the page says")

# A copy with one fact changed must not verify.
header, body, signature = token.split(".")
changed = json.loads(base64url_decode(body))
changed["holder_name"] = "张三"
forged = ".".join([header, base64url_encode(json.dumps(changed, ensure_ascii=False).encode()), signature])
refused = jws.JWS()
refused.deserialize(forged)
try:
    refused.verify(keys.get_key(kid))
    sys.exit("FAIL a tampered certificate verified")
except jws.InvalidJWSSignature:
    pass

print(f"ok: certificate {certificate_id} verified offline with key {kid}; a tampered copy was refused")
