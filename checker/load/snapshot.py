"""Reading a snapshot file (from `warmcheck collect`): bounded JSON, validated into `Snapshot`."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from checker.errors import SnapshotError
from checker.load.documents import load_json, validation_error
from checker.model.snapshot import SNAPSHOT_VERSION, Snapshot


def load_snapshot(path: str | Path) -> Snapshot:
    """Read and validate a snapshot file; every problem is a SnapshotError naming file:line:col."""
    document = load_json(Path(path), error_cls=SnapshotError)
    if isinstance(document.data, dict) and document.data.get("version") not in (None, 1):
        line, column = document.source.locate(["version"]) or (None, None)
        raise SnapshotError(
            str(path),
            f"snapshot version {document.data.get('version')!r} is not supported "
            f"(this warmcheck reads version {SNAPSHOT_VERSION})",
            line=line,
            column=column,
            field="version",
            hint="collect a new snapshot with `warmcheck collect --out FILE`",
        )
    try:
        return Snapshot.model_validate(document.data)
    except ValidationError as error:
        raise validation_error(
            error,
            document,
            str(path),
            error_cls=SnapshotError,
            model=Snapshot,
            hint="see `warmcheck schema snapshot`",
        ) from None
