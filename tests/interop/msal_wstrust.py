"""Drive MSAL for Python's own MEX and WS-Trust code against an IdP.

Usage: msal_wstrust.py MEX_URL CA_PEM USERNAME PASSWORD_FILE APPLIES_TO [ASSERTION_OUT]

Prints one JSON object: the endpoint MSAL chose and what its WS-Trust exchange returned. The
password is read from a file so that it never appears on a command line.
"""
import json
import sys

import msal
import msal.mex
import msal.wstrust_request
import requests


def main():
    mex_url, ca, username, password_file, applies_to = sys.argv[1:6]
    with open(password_file, encoding="utf-8") as f:
        password = f.read().rstrip("\r\n")
    session = requests.Session()
    # requests lets environment settings (REQUESTS_CA_BUNDLE…) override session.verify; MSAL
    # passes keyword arguments through to requests, so the CA is given on every call.
    session.trust_env = False
    endpoint = msal.mex.send_request(mex_url, session, verify=ca)
    if not endpoint:
        print(json.dumps({"error": "MSAL found no username/password endpoint"}))
        return 1
    result = msal.wstrust_request.send_request(
        username, password, applies_to, endpoint["address"], endpoint["action"], session,
        verify=ca)
    token = result["token"].decode("utf-8")
    if len(sys.argv) > 6:
        with open(sys.argv[6], "w", encoding="utf-8") as f:
            f.write(token)
    print(json.dumps({
        "msal_version": msal.__version__,
        "address": endpoint["address"],
        "action": endpoint["action"],
        "token_type": result["type"],
        "assertion_element": token[:token.find(" ")] if " " in token else token[:40],
        "assertion_bytes": len(token),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
