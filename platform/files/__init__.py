"""Files of attachment fields: a store of bytes behind one small interface, and their metadata table.

    store = LocalFileStore(Path("jimu-files"))
    stored = save_upload(conn, store, stream, name="合同.pdf", field=field, user_id=7, now=now, limit=limit)
    record = records.create(ctx, "contract", {"scan": [{"id": stored.id}]})   # validated and attached
    with store.open(stored.key) as data: ...
"""
from __future__ import annotations

from pathlib import Path

from jimu.platform.files.errors import FileNotFound, FileTooLargeError
from jimu.platform.files.service import (
    StoredFile,
    attachable,
    attachment_field,
    bind_files,
    content_disposition,
    load_files,
    safe_name,
    save_upload,
)
from jimu.platform.files.sniff import sniff
from jimu.platform.files.store import FileStore, LocalFileStore
from jimu.platform.settings import Settings


def file_store(settings: Settings) -> FileStore:
    """The installation's file store (a local folder: `JIMU_FILES_DIR`)."""
    return LocalFileStore(Path(settings.files_dir))


__all__ = ["FileNotFound", "FileStore", "FileTooLargeError", "LocalFileStore", "StoredFile", "attachable",
           "attachment_field", "bind_files", "content_disposition", "file_store", "load_files", "safe_name",
           "save_upload", "sniff"]
