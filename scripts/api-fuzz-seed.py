"""Fills the fuzzing organization of scripts/api-fuzz with a known set of roles, groups, projects,
members, invitations and tokens, and prints their ids as JSON for scripts/api-fuzz-hooks.py.
  api-fuzz-seed.py BASE_URL MAIL_DIR   (the admin token in API_FUZZ_TOKEN)

Two kinds of each: `known` ones that generated requests refer to (a role in a binding, a project
owner...) and that no request removes, and `doomed` ones that the destructive operations
(DELETE, deactivate, revoke, withdraw) act on, so that a reference never points at something the
run itself has removed. The same shape every run; only the ids differ."""

import json
import os
import pathlib
import quopri
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

base, mail_dir = sys.argv[1], pathlib.Path(sys.argv[2])
auth = {"Authorization": "Bearer " + os.environ["API_FUZZ_TOKEN"]}


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    headers = dict(auth, **({"Content-Type": "application/json"} if data else {}))
    request = urllib.request.Request(base + "/api/v1" + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request) as answer:
            text = answer.read()
    except urllib.error.HTTPError as error:
        sys.exit(f"api-fuzz-seed: {method} {path} answered {error.code}: {error.read().decode()}")
    return json.loads(text) if text else None


def join(email, name):
    """Invites `email` as a viewer and accepts the link from the mail, as the invited person would."""
    before = set(mail_dir.glob("*.eml"))
    call("POST", "/invitations", {"email": email, "bindings": [{"role": "viewer", "project": None}]})
    for _ in range(100):  # the mail is sent after the answer
        sent = set(mail_dir.glob("*.eml")) - before  # renamed once whole
        if sent:
            break
        time.sleep(0.05)
    (message,) = sent
    link = re.search(r"/invite/([A-Za-z0-9_-]{43})", quopri.decodestring(message.read_bytes()).decode()).group(1)
    form = urllib.parse.urlencode({"token": link, "name": name, "password": "fuzzing only, never used"})
    request = urllib.request.Request(
        base + "/api/invite_accept_new",
        data=form.encode(),
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": base},
    )
    urllib.request.urlopen(request).read()
    (row,) = call("GET", "/members?q=" + urllib.parse.quote(email))["items"]
    return row["user_id"]


def split(items, destructive):
    """Two known items, then two doomed ones for each destructive operation (one for the
    coverage phase, one for the fuzzing phase: each uses its target up)."""
    assert len(items) == 2 + 2 * destructive
    return {"known": items[:2], "doomed": items[2:]}


(admin,) = call("GET", "/members?role=admin")["items"]
seed = {"admin": admin["user_id"]}

roles = [
    call("POST", "/roles", {"name": f"Fuzz role {i}", "permissions": ["members.read", "resources.read"]})["id"]
    for i in range(4)
]
seed["roles"] = split(roles, 1)  # DELETE

members = [join(f"fuzz-member-{i}@example.com", f"Fuzz Member {i}") for i in range(8)]
seed["members"] = split(members, 3)  # DELETE, deactivate, reactivate
for member in members[6:]:  # the ones to reactivate
    call("POST", f"/members/{member}/deactivate")

projects = [
    call("POST", "/projects", {"name": f"Fuzz project {i}", "owner": seed["admin"]})["id"] for i in range(4)
]
seed["projects"] = split(projects, 1)  # DELETE

groups = [
    call(
        "POST",
        "/groups",
        {"name": f"Fuzz group {i}", "bindings": [{"role": roles[i % 2], "project": projects[i % 2]}]},
    )["id"]
    for i in range(4)
]
seed["groups"] = split(groups, 1)  # DELETE
for group, member in zip(groups, members):
    call("PUT", f"/groups/{group}/members/{member}")

invitations = [
    call("POST", "/invitations", {"email": f"fuzz-invitee-{i}@example.com", "bindings": []})["id"]
    for i in range(6)
]
seed["invitations"] = split(invitations, 2)  # DELETE, resend

# Tokens other than the run's own, made with the CLI beforehand (an organization token may not
# create tokens), found here by name.
tokens = [t for t in call("GET", "/tokens?kind=organization")["items"] if t["name"].startswith("fuzz-token-")]
seed["tokens"] = split([t["id"] for t in sorted(tokens, key=lambda t: t["name"])], 2)  # DELETE, regenerate

json.dump(seed, sys.stdout, indent=1)
