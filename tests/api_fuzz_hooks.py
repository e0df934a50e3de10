"""schemathesis hooks for ``make api-fuzz`` (loaded through ``SCHEMATHESIS_HOOKS``).

The schema cannot state that a form token must be one the service signed for the thread and site
of the request, so a generated token can only be a string. Before each comment POST, a token that
the schema allows (a non-empty string) is swapped for a real one from the token endpoint, as a
client does: a positive case is then accepted, and a negative one is refused for what it breaks
(a token that the schema refuses, a number or none, is kept). The stateful phase gets real tokens
through the schema's own link from the token endpoint to the POST.
"""

import requests
import schemathesis


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.operation.method.upper() != "POST" or not case.operation.path.endswith("/comments"):
        return
    body = case.body
    if not (isinstance(body, dict) and isinstance(body.get("token"), str) and body["token"]):
        return
    # The token endpoint of the very thread and site this POST goes to, encoded as schemathesis encodes them.
    request = case.as_transport_kwargs()
    url = request["url"].removesuffix("/comments") + "/token"
    response = requests.get(url, params=request.get("params"), timeout=10)
    if response.status_code == 200:  # else the thread or site is refused, and so will the POST be
        body["token"] = response.json()["token"]
