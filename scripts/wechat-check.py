"""The WeChat callback spoken to by wechatpy (PyPI), as the WeChat platform would: messages
encrypted and signed by wechatpy's WeChatCrypto are taken, and Qiaoyi's encrypted replies decrypt
and verify with it. A forged signature, a replayed nonce and a stale timestamp are refused with a
4xx. A demo applicant links this WeChat with the code the account sends after "绑定", and her next
message lands in her account's consultations. The server must run with Tencent's sample account (scripts/test.sh sets it):

    QIAOYI_WECHAT_APP_ID=wx2c2769f8efd9abc2 QIAOYI_WECHAT_TOKEN=spamtest
    QIAOYI_WECHAT_ENCODING_AES_KEY=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG

    python scripts/wechat-check.py http://127.0.0.1:8080
"""

import json
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

APP_ID = "wx2c2769f8efd9abc2"
TOKEN = "spamtest"
KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
OPENID = "o-wechatpy-" + secrets.token_hex(6)

base = sys.argv[1].rstrip("/")
crypto = WeChatCrypto(TOKEN, KEY, APP_ID)


def field(xml, name):
    m = re.search(rf"<{name}>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</{name}>", xml, re.S)
    assert m, f"no {name} in {xml!r}"
    return m.group(1)


def post(query, body):
    url = f"{base}/wechat/callback?" + urllib.parse.urlencode(query)
    request = urllib.request.Request(
        url, data=body.encode(), method="POST", headers={"Content-Type": "text/xml"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def send(message_xml, timestamp=None, nonce=None, tamper=False):
    """Posts `message_xml` as WeChat does in safe mode; the status and the body."""
    timestamp = str(timestamp or int(time.time()))
    nonce = nonce or secrets.token_hex(5)
    envelope = crypto.encrypt_message(message_xml, nonce, timestamp)
    encrypted = field(envelope, "Encrypt")
    signature = field(envelope, "MsgSignature")
    if tamper:
        signature = ("0" if signature[0] != "0" else "1") + signature[1:]
    body = f"<xml><ToUserName><![CDATA[gh_qiaoyi]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    query = {
        "signature": "unused-in-safe-mode",
        "timestamp": timestamp,
        "nonce": nonce,
        "openid": OPENID,
        "encrypt_type": "aes",
        "msg_signature": signature,
    }
    return post(query, body)


def text(content, msg_id):
    return (
        f"<xml><ToUserName><![CDATA[gh_qiaoyi]]></ToUserName><FromUserName><![CDATA[{OPENID}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )


def reply_text(status, body):
    """The reply, decrypted and its signature checked by wechatpy, read as a text message."""
    assert status == 200, (status, body)
    plain = crypto.decrypt_message(
        body, field(body, "MsgSignature"), field(body, "TimeStamp"), field(body, "Nonce")
    )
    message = parse_message(plain)
    assert message.type == "text", plain
    assert message.target == OPENID, plain
    return message.content


msg_base = int(time.time() * 1000)
first = reply_text(*send(text("护照过期了，在意大利怎么换？", msg_base)))
found = re.search(r"q-[0-9a-f]{20}", first)
assert found, f"the reply names her consultation: {first!r}"
consultation = found.group(0)
print(f"a message from wechatpy opened {consultation}; the reply decrypted with wechatpy")
second = reply_text(*send(text("我在米兰。", msg_base + 1)))
assert consultation in second, second
print("a second message joined it")

status, body = send(text("伪造", msg_base + 2), tamper=True)
assert status == 403, (status, body)
nonce = secrets.token_hex(5)
assert send(text("第一次", msg_base + 3), nonce=nonce)[0] == 200
status, body = send(text("重放", msg_base + 4), nonce=nonce)
assert status == 403, (status, body)
status, body = send(text("太旧", msg_base + 5), timestamp=int(time.time()) - 3600)
assert status == 403, (status, body)
print("a forged signature, a replayed nonce and a stale timestamp: 403")

signer = WeChatSigner()
timestamp, nonce = str(int(time.time())), secrets.token_hex(4)
signer.add_data(TOKEN, timestamp, nonce)
query = urllib.parse.urlencode(
    {"signature": signer.signature, "timestamp": timestamp, "nonce": nonce, "echostr": "qiaoyi-echo"}
)
with urllib.request.urlopen(f"{base}/wechat/callback?{query}", timeout=10) as r:
    assert r.read().decode() == "qiaoyi-echo"
print("the address check echoes for wechatpy's signature")


# Linking: "绑定" is answered with a code, which the demo applicant gives to the API; her next
# message goes to her account's consultations.
answer = reply_text(*send(text("绑定", msg_base + 6)))
found = re.search(r"绑定码：(\d{4}) (\d{4})", answer)
assert found, f"a code in the answer: {answer!r}"
code = found.group(1) + found.group(2)
session = subprocess.run(
    [sys.executable, os.path.join(os.path.dirname(__file__), "api-session.py"), base,
     "mother@qiaoyi.example", "qiaoyi demo pass 2026", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"],
    check=True, capture_output=True, text=True,
).stdout.splitlines()
headers = dict(line.split(": ", 1) for line in session)


def api(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


status, body = api("PUT", "/api/v1/me/wechat", {"code": "0000000"})
assert status == 422 and json.loads(body)["reason"] == "malformed", (status, body)
status, body = api("PUT", "/api/v1/me/wechat", {"code": code})
assert status == 200 and json.loads(body)["linked"] is True, (status, body)
print("the code the account sent after 绑定 linked this WeChat to a demo applicant")
joined = reply_text(*send(text("我已经绑定了", msg_base + 7)))
assert consultation in joined, joined
status, body = api("GET", f"/api/v1/consultations/{consultation}")
assert status == 200, (status, body)
bodies = [m["body"] for m in json.loads(body)["messages"]]
assert bodies[-1] == "我已经绑定了", bodies
status, _ = api("DELETE", "/api/v1/me/wechat")
assert status == 204, status
print("her open consultation joined her account, her next message went there, and she unlinked")
