"""Providers from the environment, checked when the app is built."""

from __future__ import annotations

import pytest

import config
from app.identity.providers import load


def test_providers_from_the_environment(monkeypatch):
    monkeypatch.setenv("OIDC_PROVIDERS", "mynumber, gbiz")
    monkeypatch.setenv("OIDC_MYNUMBER_ISSUER", "https://idp.example.jp/")
    monkeypatch.setenv("OIDC_MYNUMBER_CLIENT_ID", "pref-mie")
    monkeypatch.setenv("OIDC_MYNUMBER_CLIENT_SECRET", "s3cret")
    monkeypatch.setenv("OIDC_MYNUMBER_KIND", "individual")
    monkeypatch.setenv("OIDC_GBIZ_ISSUER", "https://gbiz.example.jp")
    monkeypatch.setenv("OIDC_GBIZ_CLIENT_ID", "pref-mie-biz")
    monkeypatch.setenv("OIDC_GBIZ_CLIENT_SECRET", "s3cret2")
    monkeypatch.setenv("OIDC_GBIZ_KIND", "business")
    monkeypatch.setenv("OIDC_GBIZ_CLAIMS", "corporate_name=name_of_corp, corporate_number=corp_num")
    found = load(config._oidc_providers(), "production")
    assert found["mynumber"].issuer == "https://idp.example.jp/"  # compared exactly
    assert found["mynumber"].metadata_url == (
        "https://idp.example.jp/.well-known/openid-configuration"
    )
    assert found["mynumber"].claims["name_kana"] == "name#ja-Kana-JP"
    assert found["gbiz"].claims["corporate_name"] == "name_of_corp"
    assert found["gbiz"].claims["corporate_number"] == "corp_num"
    assert "corporate" in found["gbiz"].scope.split()
    assert "s3cret" not in repr(found["mynumber"])


def test_the_development_provider(monkeypatch):
    monkeypatch.delenv("OIDC_PROVIDERS", raising=False)
    monkeypatch.setenv("OIDC_DEV_ISSUER", "http://127.0.0.1:5556/")
    found = load(config._oidc_providers(), "development")
    assert {p.issuer for p in found.values()} == {
        "http://127.0.0.1:5556/mynumber", "http://127.0.0.1:5556/gbiz",
    }  # fmt: skip
    assert all(p.development for p in found.values())
    with pytest.raises(ValueError, match="production"):
        load(config._oidc_providers(), "production")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({}, "OIDC_X_ISSUER is not set"),
        ({"kind": "person"}, "OIDC_X_KIND must be one of"),
        ({"issuer": "ftp://idp.example.jp"}, "https://"),
        ({"issuer": "http://idp.example.jp"}, "https://"),  # in production
        ({"claims": "shoe_size=shoe"}, "OIDC_X_CLAIMS"),
        ({"claims": "name"}, "OIDC_X_CLAIMS"),
        ({"scope": "profile"}, "openid"),
    ],
)
def test_a_setting_that_cannot_work_stops_the_start(spec, message):
    good = {
        "issuer": "https://idp.example.jp",
        "client_id": "c",
        "client_secret": "s",
        "kind": "individual",
    }
    if spec == {}:
        good.pop("issuer")
    with pytest.raises(ValueError, match=message):
        load({"x": {**good, **spec}}, "production")


def test_a_bad_provider_name():
    with pytest.raises(ValueError, match="provider name"):
        load({"My IdP": {}}, "development")


def test_the_app_refuses_to_start_with_a_bad_provider(make_app):
    with pytest.raises(ValueError, match="OIDC_X_KIND"):
        make_app(
            OIDC_PROVIDERS={
                "x": {
                    "issuer": "https://i.example",
                    "client_id": "c",
                    "client_secret": "s",
                    "kind": "alien",
                }  # fmt: skip
            }
        )
