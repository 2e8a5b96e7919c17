"""The SDK's façade: one object per deployment (or the local pipeline), one method per operation.

>>> from stac_ingest import Pipeline
>>> p = Pipeline.from_stack("myproj-dev")          # doctest: +SKIP
>>> p.status().stages[0].visible                    # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from stac_ingest.errors import DatabaseError, DeploymentError, UsageError
from stac_ingest.sdk import dlq as _dlq
from stac_ingest.sdk.backend import Backend, DeadLetter, LogEvent
from stac_ingest.sdk.progress import Progress, PublishReport

if TYPE_CHECKING:
    from stac_ingest.sdk.collections import CollectionResult
    from stac_ingest.sdk.generate import GenerateSpec
    from stac_ingest.sdk.local.runner import RunReport
    from stac_ingest.sdk.pgstac_db import CollectionInfo
    from stac_ingest.sdk.publish import Entry
    from stac_ingest.sdk.status import StatusReport


class Pipeline:
    """Operations on one pipeline target. Methods return pydantic results and never print."""

    def __init__(self, backend: Backend, *, dsn: str | None = None, session: Any = None) -> None:
        self.backend = backend
        self._dsn = dsn
        self.session = session

    def __repr__(self) -> str:
        return f"Pipeline({self.backend.label!r})"

    # -- finding a target --------------------------------------------------------------
    @classmethod
    def from_stack(
        cls,
        stack_name: str,
        *,
        region: str | None = None,
        profile: str | None = None,
        session: Any = None,
        db_stack: str | None = None,
        dsn: str | None = None,
    ) -> Pipeline:
        """A deployed stack, found through its CloudFormation outputs (read once)."""
        from stac_ingest.sdk.aws import client, make_session
        from stac_ingest.sdk.aws_backend import AwsBackend
        from stac_ingest.sdk.stack import check_ingest_outputs, read_stack_outputs

        session = session or make_session(region=region, profile=profile)
        cfn = client(session, "cloudformation")
        ingest = read_stack_outputs(cfn, stack_name)
        check_ingest_outputs(ingest)
        db_name = db_stack or f"{stack_name}-pgstac"
        database, error = None, None
        try:
            database = read_stack_outputs(cfn, db_name)
        except DeploymentError as exc:  # only needed for direct database access
            error = exc
        backend = AwsBackend(session, ingest, database, database_error=error)
        return cls(backend, dsn=dsn, session=session)

    @classmethod
    def database(cls, dsn: str) -> Pipeline:
        """Only a pgstac database: direct loads, collection listing and maps, no queues."""
        from stac_ingest.sdk.db_backend import DatabaseBackend

        return cls(DatabaseBackend(dsn), dsn=dsn)

    @classmethod
    def local(cls, home: str | Path | None = None, dsn: str | None = None) -> Pipeline:
        """The local embedded pipeline (see ``stac-ingest local``)."""
        from stac_ingest.sdk.local.backend import LocalBackend

        backend = LocalBackend(Path(home) if home is not None else None, dsn)
        return cls(backend, dsn=dsn)

    @classmethod
    def resolve(
        cls,
        *,
        stack: str | None = None,
        db_stack: str | None = None,
        region: str | None = None,
        profile: str | None = None,
        local: bool = False,
        home: str | None = None,
        dsn: str | None = None,
    ) -> Pipeline:
        """What the CLI's global options name: ``--local``, ``--stack``, or only ``--dsn``."""
        if local:
            return cls.local(home, dsn)
        if not stack and dsn:
            return cls.database(dsn)
        if not stack:
            raise UsageError(
                "no stack given", hint="pass --stack NAME, set STAC_INGEST_STACK, or use --local"
            )
        return cls.from_stack(stack, region=region, profile=profile, db_stack=db_stack, dsn=dsn)

    def database_dsn(self) -> str:
        """The pgstac connection string: ``dsn=`` if given, else the target's."""
        dsn = self._dsn or self.backend.database_dsn()
        if not dsn:
            raise DatabaseError("no database access", hint="pass --dsn or set PGSTAC_DSN")
        return dsn

    def drain(self, *, progress: Progress | None = None) -> RunReport:
        """Local target only: run both stages until the queues are empty (resumes a killed run)."""
        drain = getattr(self.backend, "drain", None)
        if drain is None:
            raise UsageError(
                f"{self.backend.label} runs in the cloud, not here", hint="use --local"
            )
        report: RunReport = drain(progress=progress)
        return report

    # -- publishing --------------------------------------------------------------------
    def plan(self, spec: GenerateSpec) -> Iterator[Entry]:
        """The ItemRequests ``generate`` would publish (for ``--dry-run``)."""
        from stac_ingest.sdk.generate import plan

        return plan(spec, session=self.session)

    def generate(
        self,
        spec: GenerateSpec,
        *,
        resume: str | Path | None = None,
        progress: Progress | None = None,
    ) -> PublishReport:
        from stac_ingest.sdk.generate import generate

        return generate(self.backend, spec, resume=resume, progress=progress, session=self.session)

    def load_items(
        self, source: str | Path, *, direct: bool = False, progress: Progress | None = None
    ) -> PublishReport:
        from stac_ingest.sdk.load_items import load_items, load_items_direct

        if direct:
            return load_items_direct(
                self.database_dsn(), source, progress=progress, session=self.session
            )
        return load_items(self.backend, source, progress=progress, session=self.session)

    # -- collections -------------------------------------------------------------------
    def upsert_collection(
        self, collection: str | Path | dict[str, Any], *, direct: bool = False
    ) -> CollectionResult:
        """Upsert a collection (a dict, a path or a URL) through the load stage or directly."""
        from stac_ingest.sdk import collections

        doc = (
            collection
            if isinstance(collection, dict)
            else collections.read_collection(str(collection), session=self.session)
        )
        dsn = self.database_dsn() if direct else None
        return collections.upsert(self.backend, doc, direct_dsn=dsn)

    def create_collection(
        self,
        package: str,
        group: str,
        *,
        args: list[str] | None = None,
        options: dict[str, str] | None = None,
        extra_requirements: list[str] | None = None,
        direct: bool = False,
    ) -> CollectionResult:
        """Run the package's ``create-collection`` through uvx, then upsert the result."""
        from stac_ingest.sdk import collections

        doc = collections.create(
            package, group, args=args, options=options, extra_requirements=extra_requirements
        )
        return self.upsert_collection(doc, direct=direct)

    def list_collections(self) -> list[CollectionInfo]:
        from stac_ingest.sdk.pgstac_db import list_collections

        return list_collections(self.database_dsn())

    # -- logs, dead letters, status ----------------------------------------------------
    def logs(
        self,
        stage: str,
        *,
        since: str = "10m",
        filter_text: str | None = None,
        follow: bool = False,
    ) -> Iterator[LogEvent]:
        from stac_ingest.sdk.logs import events

        return events(self.backend, stage, since=since, filter_text=filter_text, follow=follow)

    def dlq_count(self, stage: str | None = None) -> _dlq.DlqCounts:
        return _dlq.count(self.backend, stage)

    def dlq_peek(self, stage: str, limit: int = 10) -> list[DeadLetter]:
        return _dlq.peek(self.backend, stage, limit)

    def dlq_replay(self, stage: str, limit: int | None = None) -> _dlq.DlqMoved:
        return _dlq.replay(self.backend, stage, limit)

    def dlq_purge(self, stage: str) -> _dlq.DlqPurged:
        return _dlq.purge(self.backend, stage)

    def dlq_export(
        self, stage: str, out: str | Path | IO[str], *, progress: Progress | None = None
    ) -> _dlq.DlqExported:
        return _dlq.export(self.backend, stage, out, progress=progress)

    def status(self, *, with_database: bool = True) -> StatusReport:
        from stac_ingest.sdk.status import status

        return status(self.backend, dsn=self._dsn, with_database=with_database)
