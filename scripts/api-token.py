# Uses the Python client generated from the OpenAPI document (scripts/api-client.sh) as a bureau's
# other systems would: an administrator (signed in, second factor passed) makes an API token for
# a station's kiosk; the kiosk, with the generated AuthenticatedClient and no cookie or CSRF
# token, lists its station's cases and opens one; the administrator revokes the token, and the
# kiosk's next call is refused with RFC 6750's answer. Exits non-zero on any mismatch.
#   PYTHONPATH=target/api-client python scripts/api-token.py BASE "Cookie: …" "X-CSRF-Token: …"
import sys

from qiaoyi_api_client import AuthenticatedClient, Client
from qiaoyi_api_client.api.accounts import create_api_token, list_api_tokens, revoke_api_token
from qiaoyi_api_client.api.cases import list_cases, open_case
from qiaoyi_api_client.models import (ApiTokenPage, ApiTokenView, CasePage, CaseView, CreatedApiToken,
                                      NewApiTokenBody, NewCaseBody, Problem)

base, *header_lines = sys.argv[1:]
headers = dict(line.split(": ", 1) for line in header_lines)
admin = Client(base_url=base, headers=headers, raise_on_unexpected_status=True)


def check(condition, message):
    if not condition:
        sys.exit(f"FAIL {message}")


made = create_api_token.sync_detailed(
    client=admin,
    body=NewApiTokenBody(service="Rome station kiosk", name="api-token.py", grant="station:IT-ROM", days=1),
)
check(made.status_code == 201, f"making a token answered {made.status_code}: {made.content!r}")
created = made.parsed
check(isinstance(created, CreatedApiToken), f"a CreatedApiToken, not {type(created).__name__}")
check(created.secret.startswith("qyt_") and created.token.state == "active", "an active qyt_ token")
listed = list_api_tokens.sync(client=admin, limit=100)
check(isinstance(listed, ApiTokenPage), f"the list reads as an ApiTokenPage, not {type(listed).__name__}")
check(any(t.id == created.token.id for t in listed.items), "the new token is listed")
check(created.secret not in repr(listed.to_dict()), "the list never shows a secret")

kiosk = AuthenticatedClient(base_url=base, token=created.secret, raise_on_unexpected_status=True)
station = list_cases.sync(client=kiosk, view="station", limit=100)
check(isinstance(station, CasePage), f"the station's list reads as a CasePage, not {type(station).__name__}")
check(station.total > 0, "the Rome station's cases")
opened = open_case.sync_detailed(
    client=kiosk,
    body=NewCaseBody(item="EE-01", person_name="季美华", person_name_latin="JI MEIHUA", birth_date="1950-04-02",
                     relation="self", delivery="courier", duplicate_ok=True),
)
check(opened.status_code == 201, f"the kiosk opening a case answered {opened.status_code}: {opened.content!r}")
check(isinstance(opened.parsed, CaseView), f"a CaseView, not {type(opened.parsed).__name__}")

revoked = revoke_api_token.sync(client=admin, id=created.token.id)
check(isinstance(revoked, ApiTokenView) and revoked.state == "revoked", "revoked")
refused = list_cases.sync_detailed(client=kiosk, view="station")
check(refused.status_code == 401, f"a revoked token is refused, not {refused.status_code}")
check(refused.headers.get("www-authenticate") == 'Bearer error="invalid_token"',
      f"RFC 6750's answer, not {refused.headers.get('www-authenticate')!r}")
check(isinstance(refused.parsed, Problem), f"the refusal reads as a Problem, not {type(refused.parsed).__name__}")

print(f"ok: token {created.token.id} listed {station.total} station cases, opened {opened.parsed.number}, "
      "and was refused once revoked")
