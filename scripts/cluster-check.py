# The checks of scripts/cluster.sh against three nodes behind Caddy:
#   python3 scripts/cluster-check.py BASE kill PID N   N drafts from 16 threads; node PID killed
#                                                      (SIGKILL) a third of the way; every draft
#                                                      acknowledged must be readable afterwards
#   python3 scripts/cluster-check.py delivered MAILDIR DATABASE_URL
#                                                      every e-mail the outbox marked sent reached
#                                                      the SMTP sink exactly once, and no other
# TLS is checked against the CA in SSL_CERT_FILE (Caddy's internal CA).
import concurrent.futures, os, signal, subprocess, sys, threading, time, urllib.error

from qiaoyi_session import Session  # noqa: E402 (beside this script)


def expect(what, ok):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        sys.exit(1)


def kill_during_writes(base, pid, n):
    applicant = Session(base, "applicant@qiaoyi.example")
    acknowledged, refused, lock = [], [], threading.Lock()
    killed = threading.Event()

    def submit(i):
        body = {"item": "EE-01", "person_name": "季美华", "person_name_latin": "JI MEIHUA",
                "birth_date": "1962-08-19", "relation": "self", "delivery": "courier",
                "duplicate_ok": True}
        try:
            status, case = applicant.send("POST", "/api/v1/cases", body)
        except urllib.error.HTTPError as e:
            with lock:
                refused.append(f"{i}: {e.code} {e.read().decode(errors='replace')[:200]}")
            return
        except (urllib.error.URLError, ConnectionError, OSError) as e:
            with lock:
                refused.append(f"{i}: {e}")
            return
        with lock:
            if status == 201 or status == 200:
                acknowledged.append(case["id"])
            if len(acknowledged) >= n // 3 and not killed.is_set():
                killed.set()
                os.kill(pid, signal.SIGKILL)

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        list(pool.map(submit, range(n)))
    print(f"{len(acknowledged)} drafts acknowledged, {len(refused)} not "
          f"({time.monotonic() - started:.1f} s; node {pid} killed after {n // 3})")
    for line in refused[:5]:
        print(f"     not acknowledged: {line}")
    expect("the node was killed mid-run", killed.is_set())
    expect("most drafts were acknowledged by the nodes left", len(acknowledged) >= n * 2 // 3)
    missing = []
    for case_id in acknowledged:
        try:
            applicant.send("GET", f"/api/v1/cases/{case_id}")
        except urllib.error.HTTPError as e:
            missing.append(f"{case_id}: {e.code}")
    expect(f"every acknowledged draft is there ({len(acknowledged)} read back)", not missing)


def delivered(maildir, database_url):
    def query(sql):
        out = subprocess.run(["psql", "-X", "-q", "-tA", database_url, "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        return [line for line in out.splitlines() if line]

    sent = set(query("SELECT id FROM outbox WHERE channel = 'email' AND status = 'sent'"))
    ids = []
    new = os.path.join(maildir, "new")
    for name in os.listdir(new):
        with open(os.path.join(new, name), encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.lower().startswith("message-id:"):
                    ids.append(line.split(":", 1)[1].strip().strip("<>").split("@", 1)[0])
                    break
                if not line.strip():
                    break
    twice = sorted({i for i in ids if ids.count(i) > 1})
    print(f"{len(ids)} messages at the SMTP sink, {len(sent)} sent by the outbox")
    expect("no message reached the sink twice", not twice)
    expect("every message sent reached the sink", sent <= set(ids))
    expect("nothing reached the sink that the outbox did not send", set(ids) <= sent)
    for template, least in (("passport-expiring", 1), ("green-channel-escalated", 1),
                            ("case-submitted", 1)):
        rows = query(f"SELECT count(*) FROM outbox WHERE template = '{template}' AND status = 'sent'")
        expect(f"{rows[0]} {template} message(s) among them", int(rows[0]) >= least)
    twice = query("SELECT count(*) FROM (SELECT recipient, params FROM outbox "
                  "WHERE template = 'passport-expiring' GROUP BY 1, 2 HAVING count(*) > 1) d")[0]
    expect("each passport reminder, queued by three nodes at once and by `qiaoyi remind` three "
           "times at once, is in the outbox once", twice == "0")
    escalations = query("SELECT count(*) FROM audit WHERE action = 'green_channel_escalated'")[0]
    expect(f"the green-channel request escalated once ({escalations} audit entry)",
           escalations == "1")


if __name__ == "__main__":
    if sys.argv[1] == "delivered":
        delivered(sys.argv[2], sys.argv[3])
    elif sys.argv[2] == "kill":
        kill_during_writes(sys.argv[1], int(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit(__doc__)
