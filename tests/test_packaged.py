"""Where the packaged spec, fixtures and the mock's own document are."""

from __future__ import annotations

from mockserver.contract import packaged


def test_the_checkout_s_files():
    assert packaged.spec_path().name == "users.yaml"
    assert packaged.spec_path().parent.name == "openapi"
    assert (packaged.fixtures_dir() / "personas.yaml").exists()
    assert packaged.mock_path().name == "mock.yaml" and packaged.mock_path().exists()
