"""The real DRF Users service (tests/usersservice) on a free port, loaded with a mock export."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from helpers_drf import DjangoService

SERVICE_DIR = Path(__file__).resolve().parent / "usersservice"


def mock_export(size: int) -> list[dict]:
    """The mock's users, as `python -m mockserver export --size SIZE` writes them."""
    done = subprocess.run(
        [sys.executable, "-m", "mockserver", "export", "--size", str(size), "--cache-dir", ""],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    return json.loads(done.stdout)


class UsersService(DjangoService):
    """`with UsersService(records, token) as service:` the service at `service.url`.

    `records` are users as the API serves them (the mock's export); `token` becomes the key
    of user 1's token. `mutant` runs the service as that mutant (USERSSERVICE_MUTANT). `db`,
    the `service.db` of another running or prepared service, is copied instead of migrating
    and loading again.
    """

    directory = SERVICE_DIR
    settings = "usersservice.settings"
    db_variable = "USERSSERVICE_DB"
    probe = "/users/"
    name = "the Users DRF service"

    def __init__(self, records: list[dict], token: str, mutant: str = "", db: Path | None = None):
        super().__init__(token, template=db, extra_env={"USERSSERVICE_MUTANT": mutant})
        self.records = records

    def _load(self) -> None:
        self._manage("migrate", "--noinput", "-v0")
        file = self.tmp / "export.json"
        file.write_text(json.dumps(self.records), encoding="utf-8")
        self._manage("load_export", "--token", self.token, str(file))
