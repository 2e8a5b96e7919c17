"""The servers every benchmark shares: a private pgstac, and moto's server in its own process."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.timing import log

REGION = "us-east-1"
FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_PAGER": "",
}


def venv_bin(name: str) -> str:
    """An executable of the environment running the benchmarks (e.g. ``stac-ingest``)."""
    path = Path(sys.prefix) / "bin" / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} is not installed in this environment")
    return found


@dataclass
class Services:
    """Started lazily: only the benchmarks that need a server pay for it."""

    workdir: Path
    _cluster: Any = None
    _moto: subprocess.Popen[bytes] | None = None
    moto_url: str = ""
    _stacks: int = field(default=0)

    # -- pgstac --------------------------------------------------------------------------
    def pgstac_dsn(self) -> str:
        if self._cluster is None:
            from stac_ingest.sdk.pgcluster import PgCluster

            root = self.workdir / "pg"
            root.mkdir(parents=True, exist_ok=True)
            root.chmod(0o755)
            self.workdir.chmod(0o755)
            log("starting PostgreSQL and migrating pgstac")
            cluster = PgCluster(root)
            cluster.start()
            cluster.migrate()
            self._cluster = cluster
        return str(self._cluster.dsn)

    # -- moto ----------------------------------------------------------------------------
    def moto(self) -> str:
        """moto's server on loopback, in a separate process; boto3 pointed at it."""
        if self._moto is None:
            from stac_ingest.sdk.pgcluster import free_port

            port = free_port()
            log(f"starting moto_server on 127.0.0.1:{port}")
            self._moto = subprocess.Popen(
                [venv_bin("moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            self.moto_url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"{self.moto_url}/moto-api/", timeout=2).read()
                    break
                except OSError:
                    if time.monotonic() > deadline or self._moto.poll() is not None:
                        raise RuntimeError("moto_server did not start") from None
                    time.sleep(0.2)
            for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN"):
                os.environ.pop(var, None)
            os.environ.update(FAKE_AWS_ENV)
            os.environ["AWS_ENDPOINT_URL"] = self.moto_url
        return self.moto_url

    def reset_moto(self) -> None:
        request = urllib.request.Request(f"{self.moto()}/moto-api/reset", method="POST")
        urllib.request.urlopen(request).read()

    def create_stack(self) -> str:
        """An ingest stack in moto with every output key, and no subscription on its topics.

        Created through CloudFormation so that ``Pipeline.from_stack`` finds it as it finds a
        deployed one. moto's CloudFormation skips subscriptions, which suits: a publish then
        costs only the topic, not the emulator's queues.
        """
        import boto3

        from stac_ingest.outputs import IngestOutputs

        self.moto()
        self._stacks += 1
        name = f"bench-{self._stacks}"
        resources: dict[str, Any] = {}
        outputs: dict[str, Any] = {}
        for stage, (topic, queue, dlq, function) in {
            "Gen": (IngestOutputs.ITEM_GEN_TOPIC_ARN, IngestOutputs.ITEM_GEN_QUEUE_URL,
                    IngestOutputs.ITEM_GEN_DLQ_URL, IngestOutputs.ITEM_GEN_FUNCTION_NAME),
            "Load": (IngestOutputs.ITEM_LOAD_TOPIC_ARN, IngestOutputs.ITEM_LOAD_QUEUE_URL,
                     IngestOutputs.ITEM_LOAD_DLQ_URL, IngestOutputs.ITEM_LOAD_FUNCTION_NAME),
        }.items():  # fmt: skip
            resources[f"{stage}Topic"] = {"Type": "AWS::SNS::Topic"}
            resources[f"{stage}Queue"] = {"Type": "AWS::SQS::Queue"}
            resources[f"{stage}DLQ"] = {"Type": "AWS::SQS::Queue"}
            outputs[topic] = {"Value": {"Ref": f"{stage}Topic"}}
            outputs[queue] = {"Value": {"Ref": f"{stage}Queue"}}
            outputs[dlq] = {"Value": {"Ref": f"{stage}DLQ"}}
            outputs[function] = {"Value": f"{name}-{stage.lower()}"}
        cfn = boto3.client("cloudformation")
        cfn.create_stack(
            StackName=name, TemplateBody=json.dumps({"Resources": resources, "Outputs": outputs})
        )
        return name

    def topic_arn(self, stack: str, key: str) -> str:
        import boto3

        stacks = boto3.client("cloudformation").describe_stacks(StackName=stack)["Stacks"]
        return next(o["OutputValue"] for o in stacks[0]["Outputs"] if o["OutputKey"] == key)

    # -- teardown ------------------------------------------------------------------------
    def close(self) -> None:
        if self._moto is not None:
            self._moto.terminate()
            try:
                self._moto.wait(10)
            except subprocess.TimeoutExpired:
                self._moto.kill()
            self._moto = None
        if self._cluster is not None:
            with contextlib.suppress(Exception):
                self._cluster.stop(mode="immediate")
            self._cluster = None


@contextlib.contextmanager
def services(keep: bool = False) -> Iterator[Services]:
    workdir = Path(tempfile.mkdtemp(prefix="stac-ingest-bench-"))
    svc = Services(workdir)
    try:
        yield svc
    finally:
        svc.close()
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
