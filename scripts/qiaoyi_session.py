# A demo account signed in over the API, for the scripts that drive a running demo
# (provisional-year.py, cluster-check.py). Staff pass the second factor with a TOTP code for the
# server's time (its Date header), not this machine's, since a test may have moved its clock.
import base64, email.utils, hashlib, hmac, http.cookiejar, json, struct, sys, time, urllib.error, urllib.request

PASSWORD = "qiaoyi demo pass 2026"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"


class Session:
    def __init__(self, base, who):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.server_time = None
        started = self.call("POST", "/api/v1/session", {"email": who, "password": PASSWORD})
        self.csrf = self.call("GET", "/api/v1/me")["csrf"]
        if started["second_factor"] == "challenge":
            # A code works once per account: when another script just used this one, the next.
            for attempt in range(2):
                if attempt:
                    time.sleep(30 - self.server_time % 30 + 1)
                    self.call("GET", "/healthz")
                status = self.call("POST", "/api/v1/session/second-factor",
                                   {"code": totp(self.server_time)}, allow=(401,))
                if status != 401:
                    break
            else:
                sys.exit(f"{who} did not pass the second factor")

    def send(self, method, path, body=None, raw=None):
        """The status and the decoded body; raises on an HTTP error or a failed connection."""
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if raw is not None:
            req.add_header("Content-Type", "application/octet-stream")
        elif data is not None:
            req.add_header("Content-Type", "application/json")
        if getattr(self, "csrf", None):
            req.add_header("X-CSRF-Token", self.csrf)
        with self.opener.open(req) as r:
            self.server_time = email.utils.parsedate_to_datetime(r.headers["Date"]).timestamp()
            text = r.read().decode()
            return r.status, (json.loads(text) if text else None)

    def call(self, method, path, body=None, raw=None, allow=()):
        """The decoded body; an HTTP status in `allow` is returned, any other error ends the run."""
        try:
            return self.send(method, path, body, raw)[1]
        except urllib.error.HTTPError as e:
            if e.code in allow:
                return e.code
            sys.exit(f"{method} {path}: {e.code} {e.read().decode()}")


def totp(at):
    digest = hmac.new(base64.b32decode(TOTP_SECRET), struct.pack(">Q", int(at) // 30),
                      hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"
