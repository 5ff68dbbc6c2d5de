#!/usr/bin/env python3
"""Set up a personalization from a script, with plain HTTP calls to the Management API.

What it does, in one project:

1. creates the custom attribute ``plan`` and the event ``signup``;
2. creates the audiences "Pro plan" and "Free plan" (``plan`` equals pro / free);
3. creates the segmented experience "Pricing banner" with a variant for each
   audience, fills its draft (Version 1) and activates it;
4. creates the A/B test "Signup button" (Control 0 %, Treatment 100 %, primary
   metric ``signup``) and activates it;
5. asks the Edge API (``GET /edge/manifest``) which variants a visitor on the pro
   plan gets, as a website would, and prints the answer as JSON.

Only Python's standard library is used. Run it against a server with a project
you may edit and an API token (user menu → API tokens)::

    python docs/examples/automation.py --base-url http://127.0.0.1:8000 \\
        --token "$PERSONALIZE_TOKEN" --project <project uid>

Run it once per project: a second run finds the attribute key and the names
taken and stops with the API's 409 message.
"""

import argparse
import json
import sys
import urllib.error
import urllib.request


class ApiError(Exception):
    def __init__(self, status, body):
        super().__init__(f"{status}: {body.get('error')}: {body.get('message')}")
        self.status = status
        self.body = body


class Client:
    def __init__(self, base_url, token, project):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.project = project

    def call(self, method, path, body=None):
        """One Management API call; the answer as JSON (None for 204)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.base_url}/api{path}",
            data=data,
            method=method,
            headers={
                "authtoken": self.token,
                "x-project-uid": self.project,
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            raise ApiError(error.code, json.loads(error.read() or b"{}")) from None
        return json.loads(raw) if raw else None

    def manifest(self, live_attributes):
        """What the Edge API decides for a visitor with these attributes."""
        request = urllib.request.Request(
            f"{self.base_url}/edge/manifest",
            headers={
                "X-Project-Uid": self.project,
                "X-Live-Attributes": json.dumps(live_attributes),
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())


def plan_audience(client, name, plan_attribute, value):
    return client.call(
        "POST",
        "/audiences",
        {
            "name": name,
            "description": f"Visitors on the {value} plan",
            "definition": {
                "__type": "RuleCombination",
                "combinationType": "AND",
                "rules": [
                    {
                        "__type": "Rule",
                        "attribute": {
                            "__type": "CustomAttributeReference",
                            "ref": plan_attribute["uid"],
                        },
                        "attributeMatchCondition": "STRING_EQUALS",
                        "attributeMatchOptions": {"__type": "StringMatchOptions", "value": value},
                        "invertCondition": False,
                    }
                ],
            },
        },
    )


def run(client):
    plan = client.call("POST", "/attributes", {"name": "Plan", "key": "plan", "type": "STRING"})
    signup = client.call("POST", "/events", {"key": "signup", "description": "Signed up"})
    pro = plan_audience(client, "Pro plan", plan, "pro")
    free = plan_audience(client, "Free plan", plan, "free")

    # A segmented experience: Version 1 is created as an empty draft.
    banner = client.call(
        "POST",
        "/experiences",
        {"name": "Pricing banner", "__type": "SEGMENTED", "tags": ["pricing"]},
    )
    draft = banner["latestVersion"]
    versions = f"/experiences/{banner['uid']}/versions"
    client.call(
        "PUT",
        f"{versions}/{draft['uid']}",
        {
            "revision": draft["revision"],
            "variants": [
                {"name": "Upgrade to Enterprise", "audiences": [pro["uid"]]},
                {"name": "Try Pro free", "audiences": [free["uid"]]},
            ],
        },
    )
    client.call("PATCH", f"{versions}/{draft['uid']}", {"status": "ACTIVE"})

    # An A/B test, filled and activated in one PUT.
    button = client.call("POST", "/experiences", {"name": "Signup button", "__type": "AB_TEST"})
    client.call(
        "PUT",
        f"/experiences/{button['uid']}/versions/{button['latestVersion']['uid']}",
        {
            "status": "ACTIVE",
            "distributionType": "CUSTOM",
            "variants": [
                {"name": "Control", "trafficDistribution": 0},
                {"name": "Green button", "trafficDistribution": 100},
            ],
            "targeting": None,
            "metrics": [{"__type": "Primary", "event": signup["uid"]}],
        },
    )

    banner = client.call("GET", f"/experiences/{banner['uid']}")
    button = client.call("GET", f"/experiences/{button['uid']}")
    return {
        "experiences": {
            banner["name"]: {"shortUid": banner["shortUid"], "status": banner["status"]},
            button["name"]: {"shortUid": button["shortUid"], "status": button["status"]},
        },
        "variants": {
            banner["name"]: [
                (v["shortUid"], v["name"]) for v in banner["latestVersion"]["variants"]
            ],
            button["name"]: [
                (v["shortUid"], v["name"]) for v in button["latestVersion"]["variants"]
            ],
        },
        "priorityOrder": client.call("GET", "/experiences-priority")["priorityOrder"],
        "manifest": {
            "pro": client.manifest({"plan": "pro"}),
            "free": client.manifest({"plan": "free"}),
            "unknown": client.manifest({}),
        },
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True, help="e.g. http://127.0.0.1:8000")
    parser.add_argument("--token", required=True, help="an API token")
    parser.add_argument("--project", required=True, help="the project's uid")
    args = parser.parse_args(argv)
    try:
        result = run(Client(args.base_url, args.token, args.project))
    except ApiError as error:
        print(f"The API refused a request: {error}", file=sys.stderr)
        print(json.dumps(error.body.get("errors", {}), indent=2), file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
