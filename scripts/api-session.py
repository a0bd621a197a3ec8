# Signs a demo account in over the API (with the second factor for staff) and prints the two
# headers an API client sends with that session: the cookie and the CSRF token.
#   python3 scripts/api-session.py BASE EMAIL PASSWORD TOTP_SECRET
import base64, hashlib, hmac, http.cookiejar, json, struct, sys, time, urllib.error, urllib.request

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
def totp(step):
    key = base64.b32decode(secret)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000

if started["second_factor"] == "challenge":
    # A code is accepted once per account and 30-second step: if this step's code was just used
    # (another run signed the same account in), wait for the next step and send its code.
    for attempt in range(2):
        step = int(time.time()) // 30
        try:
            call("POST", "/api/v1/session/second-factor", {"code": f"{totp(step):06d}"}, csrf)
            break
        except urllib.error.HTTPError as refused:
            if attempt or refused.code != 401:
                raise
            time.sleep((step + 1) * 30 - time.time() + 1)
session = next(c.value for c in jar if c.name == "qiaoyi_session")
print(f"Cookie: qiaoyi_session={session}")
print(f"X-CSRF-Token: {csrf}")
