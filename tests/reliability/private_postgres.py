"""A PostgreSQL server of a test's own, which the test may really stop and start.

The shared system server must never be restarted from a test, so this one is made from
the installed server binaries: ``initdb`` into a fresh directory, ``pg_ctl start`` on a
free loopback port with ``fsync=off`` (nothing in it needs to survive the machine), and
``pg_ctl stop`` plus removal of the directory at the end.

initdb and postgres refuse to run as root. As root, they run as the ``postgres`` OS
user, in a directory made under /tmp and given to that user: pytest's own tmp dirs are
private to root, and their paths can be too long for a Unix socket's name.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import create_engine, text

SERVER_OS_USER = "postgres"  # whom initdb and postgres run as when we are root
SUPERUSER = "postgres"
START_TIMEOUT_S = 60
COMMAND_TIMEOUT_S = START_TIMEOUT_S + 30
LOG_TAIL_CHARS = 2000
# fast: a clean shutdown that ends every session (a planned restart); immediate: the
# server process dies without a shutdown checkpoint and recovers at start (a crash).
StopMode = Literal["fast", "immediate"]


class PrivatePostgresError(Exception):
    """A server program failed, or none can be run here; the message says why."""


def find_bindir() -> Path:
    """The newest installed server binaries: Debian's versioned directories, else the
    directory `pg_config --bindir` names."""
    for bindir in [*_debian_bindirs(), *_pg_config_bindir()]:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    raise PrivatePostgresError(
        "no PostgreSQL server binaries (initdb, pg_ctl) in /usr/lib/postgresql/*/bin "
        "or pg_config --bindir"
    )


def _debian_bindirs() -> list[Path]:
    """/usr/lib/postgresql/<major>/bin, newest major first."""
    found = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if p.parent.name.isdigit()]
    return sorted(found, key=lambda path: int(path.parent.name), reverse=True)


def _pg_config_bindir() -> list[Path]:
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        return []
    answer = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
    return [Path(answer.stdout.strip())] if answer.returncode == 0 else []


def server_identity() -> dict[str, Any]:
    """subprocess arguments that run the server's programs as a user they accept: the
    `postgres` OS user when we are root, else ourselves (no arguments)."""
    if os.geteuid() != 0:
        return {}
    try:
        entry = pwd.getpwnam(SERVER_OS_USER)
    except KeyError:
        raise PrivatePostgresError(
            f"running as root, and there is no {SERVER_OS_USER!r} OS user to run "
            "initdb and postgres as (they refuse root)"
        ) from None
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def free_loopback_port() -> int:
    """A TCP port nothing listens on at this moment."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_environment() -> dict[str, str]:
    """Ours, less libpq's variables (a PGPORT or PGDATA of the caller must not leak in),
    in the C locale so the server's messages read the same everywhere."""
    kept = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    return {**kept, "LC_ALL": "C"}


@dataclass
class PrivatePostgres:
    """One throwaway server: its binaries, its directory (data, socket, log) and port."""

    bindir: Path
    home: Path
    port: int
    identity: dict[str, Any]

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def log_file(self) -> Path:
        return self.home / "server.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def log_tail(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")[-LOG_TAIL_CHARS:]
        except OSError:
            return "(no server log)"

    def init(self) -> None:
        """A new cluster: superuser `postgres`, trust authentication, UTF8 in the C locale
        (whatever this machine's is), its files not synced to disk (throwaway)."""
        account = ["-U", SUPERUSER, "--auth=trust"]
        encoding = ["-E", "UTF8", "--no-locale"]
        self._run("initdb", "-D", str(self.data_dir), *account, *encoding, "--no-sync")

    def start(self) -> None:
        """Start it and wait until it accepts connections (`pg_ctl -w` waits for the
        server to say it is ready, or fails after START_TIMEOUT_S)."""
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.home} -c fsync=off"
        timeout = str(START_TIMEOUT_S)
        self._pg_ctl("start", "-w", "-t", timeout, "-l", str(self.log_file), "-o", options)

    def stop(self, how: StopMode = "fast") -> None:
        self._pg_ctl("stop", "-w", "-m", how)

    @contextmanager
    def down(self, for_s: float, how: StopMode = "fast") -> Iterator[None]:
        """Stopped on entry; started again on exit, once `for_s` seconds have passed since
        the stop, so that clients meet refused connections, not only dropped ones."""
        self.stop(how)
        stopped_at = time.monotonic()
        try:
            yield
        finally:
            time.sleep(max(0.0, for_s - (time.monotonic() - stopped_at)))
            self.start()

    def restart(self, down_for: float, how: StopMode = "fast") -> None:
        """Stop, stay down for `down_for` seconds, start and wait until it accepts
        connections."""
        with self.down(down_for, how):
            pass

    def create_database(self, name: str) -> str:
        """A new, empty database; its URL."""
        admin = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.dispose()
        return self.url(name)

    def _pg_ctl(self, *args: str) -> None:
        self._run("pg_ctl", "-D", str(self.data_dir), *args)

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bindir / program), *args]
        done = subprocess.run(
            command,
            cwd=self.home,  # the server's user may not be able to read ours
            env=_server_environment(),
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_S,
            check=False,
            **self.identity,
        )
        if done.returncode != 0:
            raise PrivatePostgresError(
                f"{program} {' '.join(command[1:])} failed ({done.returncode}): "
                f"{done.stdout}{done.stderr}\nserver log: {self.log_tail()}"
            )


@contextmanager
def private_postgres_server() -> Iterator[PrivatePostgres]:
    """A running private server, stopped and removed afterwards whatever happened.

    Raises PrivatePostgresError when it cannot be made or started here.
    """
    bindir, identity = find_bindir(), server_identity()
    # Under /tmp, whatever TMPDIR says: the server's user must be able to reach it, and a
    # Unix socket's path is limited to about 100 bytes.
    home = Path(tempfile.mkdtemp(prefix="repwatch-pg-", dir="/tmp"))
    try:
        if identity:
            os.chown(home, identity["user"], identity["group"])
        server = PrivatePostgres(bindir, home, free_loopback_port(), identity)
        server.init()
        server.start()
        try:
            yield server
        finally:
            _stop_quietly(server)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _stop_quietly(server: PrivatePostgres) -> None:
    """Stop at teardown: at once, and without complaint when a failed test left it down."""
    with suppress(PrivatePostgresError):
        server.stop("immediate")
