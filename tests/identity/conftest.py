"""A real OpenID Connect provider for the tests: devidp/ (the `oidc-provider` package on
Node.js), started once per run on a free port and stopped at the end (tests/devidp.py, as
for the browser journeys), signing with a key made here so that the forgery tests can sign
as the provider would. The app talks to it over HTTP; a test plays the browser with
`requests` on the provider's side and Flask's test client on the app's."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from joserfc.jwk import RSAKey

from config import TestConfig
from tests import devidp as local_provider
from tests.conftest import _drop, _make_app, _unavailable

SECRET = "devidp-secret-for-the-tests"


@dataclass
class Devidp:
    issuer: str  # the base address: the issuers are <issuer>/mynumber and <issuer>/gbiz
    key: RSAKey  # the providers' own signing key

    def issuer_of(self, name: str) -> str:
        return f"{self.issuer}/{name}"

    def providers(self) -> dict:
        return {
            name: {
                "issuer": self.issuer_of(name),
                "client_id": f"tetsuzuki-{name}",
                "client_secret": SECRET,
                "kind": kind,
                "development": "true",
            }
            for name, kind in (("mynumber", "individual"), ("gbiz", "business"))
        }


@pytest.fixture(scope="session")
def devidp():
    key = RSAKey.generate_key(
        2048, parameters={"kid": "devidp-test", "use": "sig", "alg": "RS256"}, private=True
    )
    settings = {
        "DEVIDP_JWKS": json.dumps({"keys": [key.as_dict(private=True)]}),
        "DEVIDP_CLIENT_SECRET": SECRET,
    }
    try:
        with local_provider.running(TestConfig.BASE_URL, settings) as issuer:
            yield Devidp(issuer=issuer, key=key)
    except local_provider.Unavailable as exc:
        _unavailable(exc.what, exc.why)
    except local_provider.StartFailed as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def app(tmp_path, devidp):
    """The app with the local provider as `mynumber` (individuals) and `gbiz` (businesses)."""
    app = _make_app(
        tmp_path,
        f"sqlite:///{tmp_path / 'app.db'}",
        OIDC_PROVIDERS=devidp.providers(),
    )
    yield app
    _drop(app)


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


class Browser:
    """One person's browser: the app's test client for the app's pages, `requests` for
    the provider's, each keeping its own cookies."""

    def __init__(self, client, issuer: str):
        self.client = client
        self.issuer = issuer
        self.idp = requests.Session()

    def start(self, provider: str = "mynumber", next_path: str | None = None) -> str:
        """Press the provider's button: → the provider's authorization address."""
        data = {"next": next_path} if next_path else {}
        r = self.client.post(f"/signin/{provider}", data=data)
        assert r.status_code == 302, r.get_data(as_text=True)[:500]
        return r.headers["Location"]

    def login_at_provider(self, authorize_url: str, account: str | None) -> str:
        """At the provider: follow its own redirects; on its sign-in page choose the test
        user. → the address it sends the browser back to (not followed). A provider that
        still remembers the browser's sign-in asks nothing."""
        r = self.idp.get(authorize_url, timeout=10, allow_redirects=False)
        for _ in range(10):
            location = r.headers.get("Location", "")
            if r.status_code in (302, 303) and not location.startswith((self.issuer, "/")):
                return location
            if r.status_code in (302, 303):
                r = self.idp.get(urljoin(self.issuer, location), timeout=10,
                                 allow_redirects=False)  # fmt: skip
                continue
            assert r.status_code == 200 and account, r.text[:500]
            action = re.search(r'<form method="post" action="([^"]+)"', r.text).group(1)
            r = self.idp.post(urljoin(r.url, action), data={"account": account}, timeout=10,
                              allow_redirects=False)  # fmt: skip
        raise AssertionError("the provider never sent the browser back")

    def callback(self, url: str):
        parts = urlsplit(url)
        return self.client.get(f"{parts.path}?{parts.query}")

    def sign_out(self):
        """Sign out of the app, then confirm at the provider (RP-initiated logout), as the
        browser would; → the address the provider sends the browser back to."""
        r = self.client.post("/signout")
        assert r.status_code == 302
        end = r.headers["Location"]
        if not end.startswith(self.issuer):
            return end
        page = self.idp.get(end, timeout=10)
        xsrf = re.search(r'name="xsrf" value="([^"]+)"', page.text).group(1)
        action = re.search(r'<form id="op.logoutForm" method="post" action="([^"]+)"', page.text)
        done = self.idp.post(urljoin(self.issuer, action.group(1)),
                             data={"xsrf": xsrf, "logout": "yes"}, timeout=10,
                             allow_redirects=False)  # fmt: skip
        assert done.status_code in (302, 303), done.text[:300]
        return done.headers["Location"]

    def sign_in(self, account: str = "resident-1", provider: str = "mynumber", next_path=None):
        r = self.callback(self.login_at_provider(self.start(provider, next_path), account))
        assert r.status_code == 302, r.get_data(as_text=True)[:800]
        return r


@pytest.fixture
def browser(app, devidp):
    b = Browser(app.test_client(), devidp.issuer)
    yield b
    b.idp.close()
