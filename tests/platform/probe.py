"""`python -m tests.platform.probe URL [--form k=v ...] [--json BODY] [--token T]`: one HTTP
call, printed as JSON (`status`, `body`), for tests that reach a platform inside a network
namespace of its own, where only commands started in that namespace can connect."""

from __future__ import annotations

import argparse
import json
import urllib.error
import urllib.parse
import urllib.request


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--form", action="append", default=[])
    parser.add_argument("--json")
    parser.add_argument("--token")
    args = parser.parse_args()
    headers, body = {}, None
    if args.token:
        headers["Authorization"] = f"Bearer {args.token}"
    if args.form:
        body = urllib.parse.urlencode([pair.split("=", 1) for pair in args.form]).encode()
    elif args.json:
        body, headers["Content-Type"] = args.json.encode(), "application/json"
    request = urllib.request.Request(args.url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        status, text = exc.code, exc.read().decode()
    except OSError as exc:
        status, text = 0, str(exc)
    print(json.dumps({"status": status, "body": text}))


if __name__ == "__main__":
    main()
