# A renewal accepted at the turn of the year, against a demo whose clock libfaketime set to
# 2026-12-28 (scripts/test.sh): before 2027's calendar is imported the deadline is provisional and
# in 2027; after `qiaoyi import calendar`, it moved and the applicant was told.
#   python3 scripts/provisional-year.py BASE accept        prints the accepted case's id
#   python3 scripts/provisional-year.py BASE check CASE_ID
# Staff sign in with a TOTP code for the server's time (its Date header), not this machine's.
import json, sys, urllib.request

from qiaoyi_session import PDF, Session  # noqa: E402 (beside this script)


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
