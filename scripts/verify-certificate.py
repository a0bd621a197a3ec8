# Verifies a certificate as a foreign office would, offline, with a JOSE library nobody here wrote
# (jwcrypto): the signing keys from /.well-known/jwks.json, the certificate as the compact JWS its
# QR code carries (fetched from /api/v1/verify/{id}, and scanned from the QR code of its PDF,
# drawn by poppler's pdftoppm and decoded by zbar's zbarimg), and a tampered copy that must fail.
# The signed content states what the certificate attests in Chinese, English, Italian and Spanish.
# Signs in as the demo applicant to find her certificate and print it. Exits non-zero on a mismatch.
#   python scripts/verify-certificate.py BASE "Cookie: …" "X-CSRF-Token: …"
import json, pathlib, subprocess, sys, tempfile, urllib.request

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

# The PDF's QR code, scanned: the printed page drawn at a scanner's 300 dpi, the code decoded.
req = urllib.request.Request(f"{base}/api/v1/certificates/{certificate_id}/pdf",
                             headers={**headers, "Accept-Language": "it"})
with urllib.request.urlopen(req) as r, tempfile.TemporaryDirectory() as tmp:
    pdf = pathlib.Path(tmp, "certificate.pdf")
    pdf.write_bytes(r.read())
    subprocess.run(["pdftoppm", "-r", "300", "-png", "-singlefile", str(pdf), str(pathlib.Path(tmp, "page"))],
                   check=True)
    scanned = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable",
                              str(pathlib.Path(tmp, "page.png"))],
                             check=True, capture_output=True, text=True).stdout.strip()
check(f"/verify/{certificate_id}#jws=" in scanned, f"the QR code leads to the verification page: {scanned[:80]!r}")
from_paper = jws.JWS()
from_paper.deserialize(scanned.split("#jws=", 1)[1])
from_paper.verify(keys.get_key(from_paper.jose_header["kid"]))
facts = json.loads(from_paper.payload)
check(facts["id"] == certificate_id, "the scanned JWS is this certificate")
languages = [t["lang"] for t in facts.get("translations", [])]
check(languages == ["en", "it", "es"], f"signed in Chinese, English, Italian and Spanish, not {languages}")
italian = facts["translations"][1]
check("precedenti penali" in italian["attests"] or "precedenti penali" in italian["title"],
      f"the Italian says what it attests: {italian}")
check("审核" not in facts["statement"], f"it states the fact, not an approval: {facts['statement']}")
print(f"ok: the PDF's QR code ({len(scanned)} characters) scanned and verified offline")

print(f"ok: certificate {certificate_id} verified offline with key {kid}; a tampered copy was refused")
