"""The web container's healthcheck (docker-compose.yml): GET a path on this container's gunicorn and
exit 0 on 200, 1 otherwise. Standard library only, no Django: it runs every few seconds.

    python -m ehc.probe /healthz

The Host header is the first of DJANGO_ALLOWED_HOSTS, so the request passes Django's host check in
any deployment; X-Forwarded-Proto says https as the proxy would (the health paths are exempt from
the HTTPS redirect anyway).
"""

import os
import sys
import urllib.error
import urllib.request


def host(allowed=None):
    first = (allowed if allowed is not None else os.environ.get("DJANGO_ALLOWED_HOSTS", "")).split(",")[0].strip()
    # ".council.example" allows council.example and its subdomains; "*" names no host to send.
    first = first.lstrip(".")
    return first if first and first != "*" else "localhost"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    path = argv[0] if argv else "/healthz"
    port = os.environ.get("PORT", "8000")
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Host": host(), "X-Forwarded-Proto": "https"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError as error:
        print(f"{path}: {error}", file=sys.stderr)
        return 1
    print(f"{path}: {status}")
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
