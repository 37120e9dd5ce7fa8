"""Every absolute link the house gives out, built in one place from `BASE_URL`.

Mails, the receipt (its printed link, its QR code and the QR code's alt text), the JSON-LD
of the open data, the vocabulary's namespace and the API's links all name the address the
site is served on as configured, never the Host header of whichever request made them (a
job has no request; a request's Host is whatever its client chose). `make run` sets
`BASE_URL` from `PORT` unless it is set.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app


def check_base_url(value: str) -> str:
    """`BASE_URL` without its trailing slash, or ValueError saying what is wrong with it."""
    parts = urlsplit(value or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"BASE_URL must be an http:// or https:// address such as https://example.jp, "
            f"not {value!r}"
        )
    if parts.query or parts.fragment:
        raise ValueError(f"BASE_URL must have no query or fragment: {value!r}")
    return value.rstrip("/")


def base_url(app: Flask | None = None) -> str:
    """The site's own address, without a trailing slash: `https://tetsuzuki.example.jp`."""
    return (app or current_app).config["BASE_URL"].rstrip("/")


def absolute_url(endpoint: str, /, **values) -> str:
    """`url_for(endpoint, **values)` as an absolute address under `BASE_URL`; `_anchor`
    adds a fragment. Works with or without a request (jobs, commands)."""
    app = current_app
    anchor = values.pop("_anchor", None)
    base = urlsplit(base_url(app))
    adapter = app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    app.inject_url_defaults(endpoint, values)
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{anchor}" if anchor else url
