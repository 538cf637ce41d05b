"""Secret, App and Environment objects: values are readable but never rendered."""

from __future__ import annotations

import pprint
from typing import TYPE_CHECKING

import pytest

from phasekit import Client, Secret
from pkhelpers import APP, DEV, E2EE_APP, seeded_secret_values

if TYPE_CHECKING:
    from conftest import PhasekitServer


def test_repr_and_str_hide_the_value(client: Client) -> None:
    """repr() and str() name key, path, app and env, and show value=<redacted>."""
    secret = client.get_secret("DB_PASSWORD", APP, path="/db")
    expected = (
        'Secret(key="DB_PASSWORD", path="/db", app="interop-app", '
        'env="Development", value=<redacted>)'
    )
    assert repr(secret) == expected
    assert str(secret) == expected
    assert f"{secret}" == expected and f"{secret!r}" == expected
    assert "dev-Pa55w0rd!" not in repr(secret)
    assert secret.value == "dev-Pa55w0rd!"


def test_containers_of_secrets_never_show_values(client: Client) -> None:
    """repr/str/pprint of lists, dicts and tuples of every secret (all folders, an
    end-to-end app, dynamic credentials under a lease) contain no value."""
    secrets = (
        client.get(APP, DEV)
        + client.get(APP, DEV, raw=True)
        + client.get(APP, DEV, lease=True)
        + client.get(E2EE_APP, DEV)
    )
    by_path_and_key = {(s.path, s.key): s for s in secrets}
    rendered = "\n".join(
        [
            repr(secrets),
            str(secrets),
            pprint.pformat(secrets),
            repr(by_path_and_key),
            repr(tuple(secrets)),
            repr([[s] for s in secrets]),
        ]
    )
    leaked = [s.value for s in secrets if len(s.value) >= 4 and s.value in rendered]
    assert leaked == []
    for value in seeded_secret_values():
        assert value not in rendered
    assert rendered.count("value=<redacted>") == 5 * len(secrets) + len(by_path_and_key)
    dynamic_values = [s.value for s in secrets if s.is_dynamic and s.value]
    assert len(dynamic_values) == 2, "the leased credentials were part of the check"


def test_secret_values_in_exceptions_come_only_from_the_caller(client: Client) -> None:
    """A failing assertion that embeds a secret's repr still hides its value."""
    secret = client.get_secret("STRIPE_SECRET_KEY", APP)
    with pytest.raises(AssertionError) as caught:
        assert secret is None, f"unexpected {secret!r}"
    assert "sk_test_51Interop" not in str(caught.value)
    assert "value=<redacted>" in str(caught.value)


def test_secret_objects_are_read_only(client: Client) -> None:
    """Secret attributes cannot be reassigned, and Secret cannot be built from Python."""
    secret = client.get_secret("DB_HOST", APP)
    with pytest.raises(AttributeError):
        secret.value = "changed"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        secret.extra = 1  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        Secret()
    assert secret.value == "db.dev.internal"


def test_app_and_environment_reprs_hold_no_keys(
    server: PhasekitServer, client: Client
) -> None:
    """App/Environment reprs show names and ids only."""
    for app in client.apps():
        text = repr(app) + repr(app.environments)
        assert app.name in text and app.id in text
        for token in server.tokens.values():
            for part in token.split(":")[2:]:
                assert part not in text
