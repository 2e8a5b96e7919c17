"""Running stactools packages' ``create-item``: once per record, cheaply.

The seed ran ``uvx ... stac <group> create-item`` per record and paid environment
resolution and interpreter start-up (about 2 s) every time. Here uvx resolves each
package's environment once (cached by uv across records and warm invocations), and a
long-lived worker process in that environment serves every record of that package:
the imports of stactools, rasterio and the package are paid once per worker.

:class:`SubprocessRunner` keeps the seed's one-process-per-record way, as the baseline
of ``bench/`` and for operators who want full isolation.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import orjson

from stac_ingest.errors import GenerationError, ToolMissingError
from stac_ingest.models import ItemRequest

_WORKER = Path(__file__).with_name("gen_worker.py")
_RESOLVE_TIMEOUT = 600.0


def find_uv() -> str:
    """The uv executable: the one running us (``uv run`` sets ``UV``), on PATH, or the
    one the ``uv`` Python package ships."""
    running = os.environ.get("UV")
    if running and os.access(running, os.X_OK):
        return running
    found = shutil.which("uv")
    if found:
        return found
    try:
        from uv import find_uv_bin  # type: ignore[import-not-found]

        return str(find_uv_bin())
    except Exception as exc:
        raise ToolMissingError(
            "uv is not installed: install it (pip install uv) or run scripts/bootstrap.sh"
        ) from exc


def uv_environment() -> dict[str, str]:
    """The environment for uv: caches under /tmp where the home is read-only (Lambda)."""
    env = dict(os.environ)
    if env.get("AWS_LAMBDA_FUNCTION_NAME"):
        env.setdefault("UV_CACHE_DIR", "/tmp/uv-cache")
        env.setdefault("UV_TOOL_DIR", "/tmp/uv-tools")
        env.setdefault("UV_PYTHON_INSTALL_DIR", "/tmp/uv-python")
        env.setdefault("HOME", "/tmp")
    env.setdefault("UV_NO_PROGRESS", "1")
    return env


def uvx_command(package: str, extras: Sequence[str], uv: str) -> list[str]:
    """``uv tool run --from stactools --with <package> [--with <extra>]...``."""
    cmd = [uv, "tool", "run", "--from", "stactools", "--with", package]
    for extra in extras:
        cmd += ["--with", extra]
    return cmd


def create_item_argv(request: ItemRequest, destination: str) -> list[str]:
    """Arguments after ``stac``: ``<group> create-item <args> [--k v]... <destination>``.

    Options go before the positional destination so that the argument order of
    ``create-item SOURCE DESTINATION`` packages is kept.
    """
    return [
        request.group_name,
        "create-item",
        *request.create_item_args,
        *request.option_args(),
        destination,
    ]


def _tail(text: str, limit: int = 800, lines: int = 6) -> str:
    """The last few non-blank lines of a process's stderr, for a log line."""
    kept = [ln.strip() for ln in text.strip().splitlines() if ln.strip()][-lines:]
    return " / ".join(kept)[-limit:]


def run_uvx(
    package: str, extras: Sequence[str], uv: str, argv: list[str], *, timeout: float, doing: str
) -> str:
    """Run ``argv`` in the package's uvx environment; returns the last line of its stdout."""
    cmd = [*uvx_command(package, extras, uv), *argv]
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, env=uv_environment()
        )
    except subprocess.TimeoutExpired as exc:
        raise GenerationError(f"cannot {doing}: timed out after {timeout:.0f} s") from exc
    if proc.returncode != 0:
        raise GenerationError(f"cannot {doing}: exit code {proc.returncode}: {_tail(proc.stderr)}")
    lines = proc.stdout.strip().splitlines()
    return lines[-1] if lines else ""


class Runner(Protocol):
    def create_item(self, request: ItemRequest, *, timeout: float) -> dict[str, Any]: ...

    def close(self) -> None: ...


def _read_item(path: Path) -> dict[str, Any]:
    try:
        data = orjson.loads(path.read_bytes())
    except FileNotFoundError as exc:
        raise GenerationError("create-item wrote no output file") from exc
    except orjson.JSONDecodeError as exc:
        raise GenerationError(f"create-item wrote invalid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise GenerationError("create-item wrote something other than a JSON object")
    return data


class SubprocessRunner:
    """The seed's way: one ``uvx ... stac create-item`` process per record."""

    def __init__(self, uv: str | None = None) -> None:
        self.uv = uv or find_uv()

    def create_item(self, request: ItemRequest, *, timeout: float) -> dict[str, Any]:
        with tempfile.TemporaryDirectory(prefix="stac-ingest-") as tmp:
            out = Path(tmp) / "item.json"
            argv = ["stac", *create_item_argv(request, str(out))]
            run_uvx(
                request.package_name, request.extra_requirements, self.uv, argv,
                timeout=timeout, doing="create-item",
            )  # fmt: skip
            return _read_item(out)

    def close(self) -> None:
        pass


class _Worker:
    """One worker process in one resolved environment."""

    def __init__(self, python: str) -> None:
        read_fd, write_fd = os.pipe()
        self.proc = subprocess.Popen(
            [python, "-I", str(_WORKER), str(write_fd)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=sys.stderr if _has_fileno(sys.stderr) else subprocess.DEVNULL,
            pass_fds=(write_fd,),
            text=True,
        )
        os.close(write_fd)
        self._responses = os.fdopen(read_fd, "r")
        self._buffer = ""

    def alive(self) -> bool:
        return self.proc.poll() is None

    def read(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while "\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([self._responses], [], [], left)
            if ready:
                chunk = os.read(self._responses.fileno(), 65536).decode()
                if not chunk:
                    raise GenerationError(
                        f"the stactools worker died (exit code {self.proc.wait()})"
                    )
                self._buffer += chunk
        line, self._buffer = self._buffer.split("\n", 1)
        response: dict[str, Any] = orjson.loads(line)
        return response

    def request(self, argv: list[str], timeout: float) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(orjson.dumps({"argv": argv}).decode() + "\n")
        self.proc.stdin.flush()
        return self.read(timeout)

    def kill(self) -> None:
        if self.alive():
            self.proc.kill()
        self.proc.wait()
        self._responses.close()
        if self.proc.stdin:
            self.proc.stdin.close()


def _has_fileno(stream: Any) -> bool:
    try:
        stream.fileno()
    except Exception:
        return False
    return True


class WorkerRunner:
    """Resolves each environment once through uvx and keeps a pool of workers in it.

    Thread-safe: a worker serves one request at a time, and concurrent requests for the
    same package start more workers (as many as there are concurrent callers). A worker
    that times out or dies is discarded; the next request starts a fresh one.
    """

    def __init__(self, uv: str | None = None, *, startup_timeout: float = 120.0) -> None:
        self.uv = uv or find_uv()
        self.startup_timeout = startup_timeout
        self._pythons: dict[tuple[str, ...], str] = {}
        self._idle: dict[tuple[str, ...], list[_Worker]] = {}
        self._live: set[_Worker] = set()  # idle and busy
        self._closed = False
        self._resolving: dict[tuple[str, ...], threading.Lock] = {}
        self._guard = threading.Lock()

    def resolve(self, request: ItemRequest, *, timeout: float = _RESOLVE_TIMEOUT) -> str:
        """The interpreter of the request's environment, installed by uv on first use."""
        key = request.environment_key()
        with self._guard:
            lock = self._resolving.setdefault(key, threading.Lock())
        with lock:
            if key not in self._pythons:
                self._pythons[key] = self._resolve(request, min(timeout, _RESOLVE_TIMEOUT))
            return self._pythons[key]

    def _resolve(self, request: ItemRequest, timeout: float) -> str:
        argv = ["python", "-c", "import sys; print(sys.executable)"]
        doing = f"install {request.package_name} with uv"
        return run_uvx(
            request.package_name, request.extra_requirements, self.uv, argv,
            timeout=timeout, doing=doing,
        )  # fmt: skip

    def _acquire(self, request: ItemRequest, deadline: float) -> _Worker:
        """An idle worker, or a new one; installing and starting it must end by ``deadline``."""
        key = request.environment_key()
        with self._guard:
            idle = self._idle.setdefault(key, [])
            while idle:
                worker = idle.pop()
                if worker.alive():
                    return worker
                self._live.discard(worker)
                worker.kill()
        worker = _Worker(self.resolve(request, timeout=max(1.0, deadline - time.monotonic())))
        try:
            hello = worker.read(min(self.startup_timeout, max(1.0, deadline - time.monotonic())))
        except (TimeoutError, GenerationError) as exc:
            worker.kill()
            raise GenerationError(
                f"the stactools worker for {request.package_name} did not start: "
                f"{exc or 'timed out'}"
            ) from exc
        if not hello.get("ok"):
            worker.kill()
            raise GenerationError(
                f"stactools cannot be imported with {request.package_name}: "
                f"{_tail(str(hello.get('error', '')))}"
            )
        with self._guard:
            closed = self._closed
            if not closed:
                self._live.add(worker)
        if closed:
            worker.kill()
            raise GenerationError("the runner was closed")
        return worker

    def _release(self, request: ItemRequest, worker: _Worker) -> None:
        with self._guard:
            if not self._closed:
                self._idle.setdefault(request.environment_key(), []).append(worker)
                return
        self._discard(worker)

    def _discard(self, worker: _Worker) -> None:
        with self._guard:
            self._live.discard(worker)
        worker.kill()

    def create_item(self, request: ItemRequest, *, timeout: float) -> dict[str, Any]:
        with tempfile.TemporaryDirectory(prefix="stac-ingest-") as tmp:
            deadline = time.monotonic() + timeout
            worker = self._acquire(request, deadline)
            left = max(1.0, deadline - time.monotonic())
            out = Path(tmp) / "item.json"
            try:
                response = worker.request(create_item_argv(request, str(out)), left)
            except TimeoutError as exc:
                self._discard(worker)
                raise GenerationError(f"create-item timed out after {timeout:.0f} s") from exc
            except (GenerationError, BrokenPipeError, OSError, ValueError) as exc:
                self._discard(worker)
                raise GenerationError(f"the stactools worker failed: {exc}") from exc
            self._release(request, worker)
            if not response.get("ok"):
                raise GenerationError(
                    f"create-item failed: {response.get('error', 'unknown error')}"
                    + (
                        f" | stderr: {_tail(response.get('stderr', ''))}"
                        if response.get("stderr")
                        else ""
                    )
                )
            return _read_item(out)

    def close(self) -> None:
        """Kill every worker, busy ones too: their create-item calls fail, to be retried."""
        with self._guard:
            self._closed = True
            workers = list(self._live)
            self._live.clear()
            self._idle.clear()
        for worker in workers:
            worker.kill()
