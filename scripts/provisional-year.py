# A renewal accepted at the turn of the year, against a demo whose clock libfaketime set to
# 2026-12-28 (scripts/test.sh): before 2027's calendar is imported the deadline is provisional and
# in 2027; after `qiaoyi import calendar`, it moved and the applicant was told.
#   python3 scripts/provisional-year.py BASE accept        prints the accepted case's id
#   python3 scripts/provisional-year.py BASE check CASE_ID
# Staff sign in with a TOTP code for the server's time (its Date header), not this machine's.
import base64, email.utils, hashlib, hmac, http.cookiejar, json, struct, sys, time, urllib.request

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

    def call(self, method, path, body=None, raw=None, allow=()):
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if raw is not None:
            req.add_header("Content-Type", "application/octet-stream")
        elif data is not None:
            req.add_header("Content-Type", "application/json")
        if getattr(self, "csrf", None):
            req.add_header("X-CSRF-Token", self.csrf)
        try:
            with self.opener.open(req) as r:
                self.server_time = email.utils.parsedate_to_datetime(r.headers["Date"]).timestamp()
                text = r.read().decode()
                return json.loads(text) if text else None
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


def expect(what, ok):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        sys.exit(1)


def accept(base):
    applicant = Session(base, "applicant@qiaoyi.example")
    case = applicant.call("POST", "/api/v1/cases", {
        "item": "EE-01", "person_name": "季美华", "person_name_latin": "JI MEIHUA",
        "birth_date": "1950-04-02", "relation": "self", "delivery": "courier"})
    item = applicant.call("GET", "/api/v1/catalog/items/EE-01")
    for i, material in enumerate(item["materials"]):
        if material["required"]:
            applicant.call("POST", f"/api/v1/cases/{case['id']}/materials/{i}/files?name=scan.pdf",
                           raw=PDF)
    case = applicant.call("POST", f"/api/v1/cases/{case['id']}/steps",
                          {"step": "submit", "version": case["version"]})
    officer = Session(base, "officer@qiaoyi.example")
    case = officer.call("POST", f"/api/v1/cases/{case['id']}/steps",
                        {"step": "accept", "version": case["version"]})
    expect(f"accepted on the faked 2026-12-28, due {case['deadline']}",
           case["state"] == "accepted")
    expect("the deadline is in 2027", case["deadline"].startswith("2027-"))
    expect("and provisional", case["deadline_provisional"] is True)
    ready = json.loads(urllib.request.urlopen(base + "/readyz").read())
    expect("/readyz warns that 2027 has no official calendar",
           any(w["code"] == "calendar-missing" and w["year"] == 2027
               for w in ready.get("warnings", [])))
    print(case["id"])


def check(base, case_id):
    applicant = Session(base, "applicant@qiaoyi.example")
    detail = applicant.call("GET", f"/api/v1/cases/{case_id}")
    case = detail["case"]
    expect(f"after the import the deadline is {case['deadline']}",
           case["deadline"] == "2027-01-06")
    expect("and official", case["deadline_provisional"] is False)
    expect("the timeline says why", any(e["step"] == "deadline_recounted"
                                        for e in detail["events"]))
    admin = Session(base, "admin@qiaoyi.example")
    told = [m for status in ("pending", "sent", "dead")
            for m in admin.call("GET", f"/api/v1/outbox?status={status}&limit=100")["items"]
            if m.get("template") == "case-deadline-moved"]
    expect("the applicant was told her deadline moved", len(told) >= 1)
    ready = json.loads(urllib.request.urlopen(base + "/readyz").read())
    expect("/readyz no longer warns", not ready.get("warnings"))


if __name__ == "__main__":
    base, command = sys.argv[1], sys.argv[2]
    if command == "accept":
        accept(base)
    else:
        check(base, sys.argv[3])
