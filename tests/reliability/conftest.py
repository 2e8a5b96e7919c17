"""The reliability suite uses the Lambda, CLI and moto-stack fixtures of the other suites."""

from tests.cli.conftest import run  # noqa: F401
from tests.lambdas.conftest import load_handler, load_queue  # noqa: F401
from tests.sdk.conftest import db_stack, make_stack, moto_stack  # noqa: F401
