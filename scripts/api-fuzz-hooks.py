"""Schemathesis hooks for scripts/api-fuzz: where the run departs from what the document allows,
each for a reason the document cannot express in JSON Schema.

Everything happens in `before_call`, on the request about to be sent: the per-part generation
hooks (`map_body`...) do not run in the coverage phase nor on the document's examples, and ids
read from earlier answers would be put in after them. Schemathesis revalidates a case that
`before_call` changed, so a request counts as positive or negative by what is actually sent."""

import json
import os
import re
import zlib

import schemathesis

# The run authenticates with one organization token; revoking or regenerating it would leave the
# rest of the run testing 401s. Its id is public (GET /tokens lists it), so wherever it comes up
# as the token to act on, a seeded token takes its place. Every other token stays fair game.
OWN_TOKEN = os.environ["API_FUZZ_TOKEN_ID"]

# What scripts/api-fuzz-seed.py put in the organization before the run.
SEED = json.load(open(os.environ["API_FUZZ_SEED"]))
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def checksum(value):
    # Not `hash`: it is salted per process, and the run must choose the same every time.
    return zlib.crc32(json.dumps(value, sort_keys=True).encode())


def pick(pool, value):
    """One of `pool`, the same for the same generated value in every run."""
    return pool[checksum(value) % len(pool)]


def is_id(value):
    return isinstance(value, str) and UUID.match(value) is not None


KNOWN = {kind: SEED[kind]["known"] for kind in ("roles", "groups", "projects", "members")}
OWNERS = KNOWN["members"] + [SEED["admin"]]


# A body that names a custom role, project, group or owner the organization does not have is
# refused with 422, rightly: the reference is invalid input. The document can say "a UUID" but
# not "one of the ids in this database", so every UUID in such a place becomes one the seeding
# created and no request removes. Values that are not UUIDs (`viewer`, a malformed id in a
# negative case) are sent as generated.
def refer(pool, value):
    return pick(pool, value) if is_id(value) else value


def refer_binding(binding):
    if isinstance(binding, dict):
        if "role" in binding:
            binding["role"] = refer(KNOWN["roles"], binding["role"])
        if "project" in binding:
            binding["project"] = refer(KNOWN["projects"], binding["project"])
    return binding


def refer_body(operation, body):
    if not isinstance(body, dict):
        return body
    if "role" in body:
        body["role"] = refer(KNOWN["roles"], body["role"])
    if "owner" in body:
        body["owner"] = refer(OWNERS, body["owner"])
    if isinstance(body.get("bindings"), list):
        body["bindings"] = [refer_binding(b) for b in body["bindings"]]
    if isinstance(body.get("groups"), list):
        body["groups"] = [refer(KNOWN["groups"], g) for g in body["groups"]]
    # A new project's owner defaults to the calling user; the run's caller is an organization
    # token, which has none, so for it an owner is required (the document says so in words) and
    # its absence is refused with 422. The run plays a caller that names one.
    if (operation.method.upper(), operation.path) == ("POST", "/projects") and body.get("owner") is None:
        body["owner"] = pick(OWNERS, body)
    return body


# Path ids: three in four UUIDs become a seeded item, so the operations reach their logic rather
# than answering 404 throughout; the rest are sent as generated (unknown, or an id read from an
# earlier answer). Operations that remove or disable something get `doomed` items of their own,
# so nothing a body refers to disappears and one operation does not empty another's targets:
# two each, since the first success uses one up, one for the coverage phase (and the examples)
# and one for the fuzzing phase.
class Doomed(tuple):
    """The two items one destructive operation acts on."""


def doomed(kind, index):
    return Doomed(SEED[kind]["doomed"][2 * index : 2 * index + 2])


def choose(pool, value, case):
    if isinstance(pool, Doomed):
        fuzzing = case.meta is not None and case.meta.phase.name == "fuzzing"
        return pool[1 if fuzzing else 0]
    return pick(pool, value)


TARGETS = {
    ("GET", "/members/{user_id}"): {"user_id": KNOWN["members"]},
    ("PATCH", "/members/{user_id}"): {"user_id": KNOWN["members"]},
    ("DELETE", "/members/{user_id}"): {"user_id": doomed("members", 0)},
    ("POST", "/members/{user_id}/deactivate"): {"user_id": doomed("members", 1)},
    ("POST", "/members/{user_id}/reactivate"): {"user_id": doomed("members", 2)},
    ("DELETE", "/invitations/{id}"): {"id": doomed("invitations", 0)},
    ("POST", "/invitations/{id}/resend"): {"id": doomed("invitations", 1)},
    ("GET", "/roles/{id}"): {"id": KNOWN["roles"]},
    ("PATCH", "/roles/{id}"): {"id": KNOWN["roles"]},
    ("DELETE", "/roles/{id}"): {"id": doomed("roles", 0)},
    ("GET", "/groups/{id}"): {"id": KNOWN["groups"]},
    ("PATCH", "/groups/{id}"): {"id": KNOWN["groups"]},
    ("DELETE", "/groups/{id}"): {"id": doomed("groups", 0)},
    ("PUT", "/groups/{id}/members/{user_id}"): {"id": KNOWN["groups"], "user_id": KNOWN["members"]},
    ("DELETE", "/groups/{id}/members/{user_id}"): {"id": KNOWN["groups"], "user_id": KNOWN["members"]},
    ("GET", "/projects/{id}"): {"id": KNOWN["projects"]},
    ("PATCH", "/projects/{id}"): {"id": KNOWN["projects"]},
    ("DELETE", "/projects/{id}"): {"id": doomed("projects", 0)},
    ("DELETE", "/tokens/{id}"): {"id": doomed("tokens", 0)},
    ("POST", "/tokens/{id}/regenerate"): {"id": doomed("tokens", 1)},
}


def target_path(case):
    operation, path_parameters = case.operation, case.path_parameters
    targets = TARGETS.get((operation.method.upper(), operation.path), {})
    # A role's id is a built-in role's name or a custom role's UUID, so any string may name one.
    any_string = operation.path.startswith("/roles/")
    for name, pool in targets.items():
        value = (path_parameters or {}).get(name)
        if not (is_id(value) or (any_string and isinstance(value, str))):
            continue
        if value == OWN_TOKEN or checksum(value) % 4 != 0:
            path_parameters[name] = choose(pool, value, case)
    return path_parameters


# A `cursor` is opaque: only a `next_cursor` the server issued means anything, and any other
# value is refused with 422 (the document says so). No schema describes the set of issued
# cursors, so invented ones are left out; the other parameters of each request are kept.
# The filters, and who takes over a removed member's projects, name seeded items as bodies do;
# that successor must be someone other than the member removed (422 otherwise).
def refer_query(operation, query, path_parameters):
    if not query:
        return query
    query.pop("cursor", None)
    if "role" in query:
        query["role"] = refer(KNOWN["roles"], query["role"])
    if "group" in query:
        query["group"] = refer(KNOWN["groups"], query["group"])
    if "new_owner" in query:
        others = [m for m in OWNERS if m != (path_parameters or {}).get("user_id")]
        query["new_owner"] = refer(others, query["new_owner"])
    return query


@schemathesis.hook
def before_call(context, case, kwargs):
    case.body = refer_body(case.operation, case.body)
    case.path_parameters = target_path(case)
    case.query = refer_query(case.operation, case.query, case.path_parameters)
