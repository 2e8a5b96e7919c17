"""A long-lived stactools worker, run by the interpreter of a package's uv environment.

Standalone on purpose: it runs inside the stactools environment that uvx resolved, where
stac_ingest is not installed, so it uses only the standard library and stactools.

Protocol: one JSON request per line on stdin, ``{"argv": [...]}`` (the arguments after
``stac``); one JSON response per line on the file descriptor given as ``argv[1]``:
``{"ok": true}`` or ``{"ok": false, "error": "<exception>", "stderr": "<what the package
printed>"}``. Anything the
package prints goes to stderr, never into the protocol.
"""

import contextlib
import io
import json
import logging
import os
import sys
import traceback
from typing import Any

_TAIL = 4000


def main() -> None:
    out = os.fdopen(int(sys.argv[1]), "w", buffering=1)
    os.dup2(2, 1)  # stray prints of the package must not reach the protocol
    sys.stdout = sys.stderr
    try:
        from stactools.cli.cli import cli  # type: ignore[import-not-found]
    except Exception:
        message = traceback.format_exc(limit=3)
        out.write(json.dumps({"ok": False, "fatal": True, "error": message[-_TAIL:]}) + "\n")
        return
    out.write(json.dumps({"ok": True, "ready": True}) + "\n")
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        captured = io.StringIO()
        response: dict[str, Any]
        logging.getLogger("stactools").handlers.clear()
        try:
            with contextlib.redirect_stderr(captured), contextlib.redirect_stdout(captured):
                cli.main(args=request["argv"], prog_name="stac", standalone_mode=False)
            response = {"ok": True}
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
            response = {"ok": code == 0, "error": f"exit code {code}"}
        except BaseException as exc:  # every failure goes back to the caller
            response = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        if not response["ok"]:
            response["stderr"] = captured.getvalue()[-_TAIL:]
        out.write(json.dumps(response) + "\n")


if __name__ == "__main__":
    main()
