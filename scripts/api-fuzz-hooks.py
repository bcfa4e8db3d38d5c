"""Schemathesis hooks for scripts/api-fuzz: the two places where the run departs from what the
document allows, each for a reason the document cannot express in JSON Schema."""

import os

import schemathesis

# The run authenticates with one organization token. Schemathesis reuses ids it reads from
# answers (GET /tokens lists this token too), so it would revoke or regenerate its own
# credential and test the rest of the API as 401s. Every other token stays fair game.
OWN_TOKEN = os.environ["API_FUZZ_TOKEN_ID"]


@schemathesis.hook
def filter_case(context, case):
    return OWN_TOKEN not in (case.path_parameters or {}).values()


# A `cursor` is opaque: only a `next_cursor` the server issued means anything, and any other
# value is refused with 422 (the document says so). No schema describes the set of issued
# cursors, so invented ones are left out; the other parameters of each request are kept.
@schemathesis.hook
def map_query(context, query):
    if query:
        query.pop("cursor", None)
    return query
