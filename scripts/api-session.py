# Signs a demo account in over the API (with the second factor for staff) and prints the two
# headers an API client sends with that session: the cookie and the CSRF token.
#   python3 scripts/api-session.py BASE EMAIL PASSWORD TOTP_SECRET
import base64, hashlib, hmac, http.cookiejar, json, struct, sys, time, urllib.request

base, email, password, secret = sys.argv[1:5]
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

def call(method, path, body=None, csrf=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if csrf:
        req.add_header("X-CSRF-Token", csrf)
    with opener.open(req) as r:
        text = r.read().decode()
        return json.loads(text) if text else None

started = call("POST", "/api/v1/session", {"email": email, "password": password})
csrf = call("GET", "/api/v1/me")["csrf"]
if started["second_factor"] == "challenge":
    key = base64.b32decode(secret)
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    call("POST", "/api/v1/session/second-factor", {"code": f"{code:06d}"}, csrf)
session = next(c.value for c in jar if c.name == "qiaoyi_session")
print(f"Cookie: qiaoyi_session={session}")
print(f"X-CSRF-Token: {csrf}")
