"""`python -m tests.platform.probe URL [--form k=v ...] [--json BODY] [--token T]`: one HTTP
call, printed as JSON (`status`, `body`), for tests that reach a platform inside a network
namespace of its own, where only commands started in that namespace can connect.
`--sign-in EMAIL` instead signs in at URL/login in Chromium and prints where it landed and
the page's heading: the UI works only if its websocket reaches the right port."""

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
    parser.add_argument("--sign-in")
    args = parser.parse_args()
    if args.sign_in:
        print(json.dumps(sign_in(args.url, args.sign_in)))
        return
    headers, body = {}, None
    if args.token:
        headers["Authorization"] = f"Bearer {args.token}"
    if args.form:
        body = urllib.parse.urlencode([tuple(pair.split("=", 1)) for pair in args.form]).encode()
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


def sign_in(base: str, email: str) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{base}/login")
        page.fill("#email", email)
        page.fill("#password", "yantra-demo")
        page.click("#sign-in")
        page.wait_for_url(f"{base}/")
        page.locator("h1, h2").first.wait_for()
        landed = {"url": page.url, "heading": page.locator("h1, h2").first.inner_text()}
        browser.close()
    return landed


if __name__ == "__main__":
    main()
