# Uses the Python client generated from the OpenAPI document (scripts/api-client.sh) as another
# system would: signed in as the demo applicant, it opens a case, reads it back, finds it in her
# list, and reads a refusal as the problem the document describes. Exits non-zero on any mismatch.
#   PYTHONPATH=target/api-client python scripts/api-client.py BASE "Cookie: …" "X-CSRF-Token: …"
import sys

from qiaoyi_api_client import Client
from qiaoyi_api_client.api.cases import list_cases, open_case, show_case
from qiaoyi_api_client.models import CaseDetailView, CasePage, CaseView, NewCaseBody, Problem

base, *header_lines = sys.argv[1:]
headers = dict(line.split(": ", 1) for line in header_lines)
client = Client(base_url=base, headers=headers, raise_on_unexpected_status=True)


def check(condition, message):
    if not condition:
        sys.exit(f"FAIL {message}")


body = NewCaseBody(
    item="EE-01",
    person_name="季美华",
    person_name_latin="JI MEIHUA",
    birth_date="1950-04-02",
    relation="self",
    delivery="courier",
    duplicate_ok=True,
)
opened = open_case.sync_detailed(client=client, body=body)
check(opened.status_code == 201, f"opening a case answered {opened.status_code}: {opened.content!r}")
case = opened.parsed
check(isinstance(case, CaseView), f"the new case reads as a CaseView, not {type(case).__name__}")
check(case.state == "draft" and case.item == "EE-01", f"a draft of EE-01, not {case.state} {case.item}")

read = show_case.sync(client=client, id=case.id)
check(isinstance(read, CaseDetailView), f"the case reads back as a CaseDetailView, not {type(read).__name__}")
check(read.case.number == case.number, f"read back {read.case.number}, opened {case.number}")

listed = list_cases.sync(client=client, limit=100)
check(isinstance(listed, CasePage), f"the list reads as a CasePage, not {type(listed).__name__}")
check(any(c.id == case.id for c in listed.items), "the new case is in her list")

refused = open_case.sync_detailed(client=client, body=NewCaseBody(item="NO-01", delivery="courier"))
check(refused.status_code in (404, 422), f"an unknown item is refused, not {refused.status_code}")
check(isinstance(refused.parsed, Problem), f"the refusal reads as a Problem, not {type(refused.parsed).__name__}")

print(f"ok: opened {case.number} ({case.id}), read it back and found it in a list of {listed.total}")
