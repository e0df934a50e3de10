"""The secret key: generated once per instance, refused when weak."""

import os
import stat

import pytest

from moderation import create_app
from moderation.secret import WeakSecretKey, instance_secret


def test_instance_secret_is_generated_once_with_0600(tmp_path):
    first = instance_secret(tmp_path)
    assert len(first) >= 32
    assert instance_secret(tmp_path) == first
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def test_weak_secret_key_refused_outside_tests(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "changeme")
    with pytest.raises(WeakSecretKey):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_unset_secret_key_uses_instance_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path), "TESTING": True})
    assert app.secret_key == (tmp_path / "secret_key").read_text().strip()
    app.extensions["redis"].close()
