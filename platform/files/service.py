"""Files of attachment fields: saving an upload (sniffed, hashed, size-limited), finding, binding, naming.

An upload belongs to an entity's attachment field and to its uploader until a record's write attaches
it (`record_id` set); from then on it belongs to that record: readable by whoever may read the record
and the field. Files are never deleted when their record is soft-deleted (a restore finds them).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO
from urllib.parse import quote

import sqlalchemy as sa

from jimu.platform.errors import ErrorDetail, ValidationError
from jimu.platform.files.errors import FileTooLargeError
from jimu.platform.files.sniff import HEAD_BYTES, sniff
from jimu.platform.files.store import FileStore, new_key, read_chunks
from jimu.platform.files.tables import files
from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.model import FieldDef

MAX_NAME = 255
_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]+')


@dataclass(frozen=True)
class StoredFile:
    id: int
    key: str
    name: str
    size: int
    content_type: str
    entity: str
    field: str
    record_id: int | None
    uploaded_by: int | None

    def as_value(self) -> dict[str, Any]:
        """The item an attachment field holds for this file."""
        return {"id": self.id, "name": self.name, "size": self.size, "content_type": self.content_type}


def safe_name(name: str | None) -> str:
    """The original file name as metadata: no folders, no control or quoting characters, at most 255."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", unicodedata.normalize("NFC", base)).strip(" .")
    return cleaned[:MAX_NAME] or "file"


def content_disposition(name: str) -> str:
    """`attachment` with an ASCII fallback name and the UTF-8 name (RFC 6266 / 5987)."""
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    fallback = _UNSAFE.sub("_", fallback).strip(" .") or "file"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def attachment_field(catalog: Catalog, entity_key: str, field_name: str) -> FieldDef:
    """The attachment field files are uploaded for (ValidationError naming `field` otherwise)."""
    entity = catalog.require_entity(entity_key)
    field = entity.field(field_name)
    if field is None or not catalog.field_type(field).holds_files:
        raise ValidationError("Not an attachment field.", code="files.not_attachment_field", entity=entity_key,
                              field=field_name,
                              details=[ErrorDetail("field", "files.not_attachment_field",
                                                   {"entity": entity_key, "field": field_name})])
    return field


def upload_limit(field: FieldDef, installation_limit: int) -> int:
    """The largest upload for a field: its `max_size`, never above the installation's limit."""
    own = field.get("max_size")
    return min(int(own), installation_limit) if own else installation_limit


def check_accepted(field: FieldDef, name: str) -> None:
    accept = field.get("accept")
    if accept and not name.lower().endswith(tuple(a.lower() for a in accept)):
        raise ValidationError("The file type is not accepted.", code="value.file_type_not_accepted",
                              accept=", ".join(accept),
                              details=[ErrorDetail("file", "value.file_type_not_accepted",
                                                   {"accept": ", ".join(accept)})])


class _Measured:
    """The upload's chunks, counted, hashed and its head kept; FileTooLargeError past the limit."""

    def __init__(self, stream: BinaryIO, limit: int) -> None:
        self.stream, self.limit = stream, limit
        self.size = 0
        self.digest = hashlib.sha256()
        self.head = b""

    def __iter__(self) -> Iterator[bytes]:
        for chunk in read_chunks(self.stream):
            self.size += len(chunk)
            if self.size > self.limit:
                raise FileTooLargeError("The file is too large.", max_size=self.limit,
                                        details=[ErrorDetail("file", "files.too_large", {"max_size": self.limit})])
            if len(self.head) < HEAD_BYTES:
                self.head += chunk[:HEAD_BYTES - len(self.head)]
            self.digest.update(chunk)
            yield chunk


def save_upload(conn: sa.Connection, store: FileStore, stream: BinaryIO, *, name: str | None, field: FieldDef,
                user_id: int | None, now: datetime, limit: int) -> StoredFile:
    """Store an upload for an attachment field (not attached to a record yet); its row in the caller's transaction."""
    clean = safe_name(name)
    check_accepted(field, clean)
    key = new_key()
    measured = _Measured(stream, upload_limit(field, limit))
    store.put(key, iter(measured))
    content_type = sniff(measured.head)
    values = {"key": key, "name": clean, "size": measured.size, "content_type": content_type,
              "sha256": measured.digest.hexdigest(), "entity": field.entity, "field": field.key,
              "record_id": None, "uploaded_by": user_id, "uploaded_at": now}
    try:
        file_id = int(conn.execute(sa.insert(files).values(**values).returning(files.c.id)).scalar_one())
    except BaseException:
        store.delete(key)
        raise
    return StoredFile(id=file_id, key=key, name=clean, size=measured.size, content_type=content_type,
                      entity=field.entity, field=field.key, record_id=None, uploaded_by=user_id)


def _stored(row: Any) -> StoredFile:
    return StoredFile(row.id, row.key, row.name, row.size, row.content_type, row.entity, row.field, row.record_id,
                      row.uploaded_by)


def load_files(conn: sa.Connection, ids: Iterable[int]) -> dict[int, StoredFile]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {row.id: _stored(row) for row in conn.execute(sa.select(files).where(files.c.id.in_(wanted)))}


def attachable(file: StoredFile, field: FieldDef, record_id: int | None, user_id: int | None) -> bool:
    """Whether a write of `record_id` (None: a new record) may reference the file in `field`: it was
    uploaded for this field and is this record's already, or is its writer's upload not attached yet."""
    if file.entity != field.entity or file.field != field.key:
        return False
    if file.record_id is not None:
        return record_id is not None and file.record_id == record_id
    return user_id is None or file.uploaded_by == user_id


def bind_files(conn: sa.Connection, ids: Iterable[int], record_id: int) -> None:
    """Attach uploads to the record that now references them."""
    wanted = sorted(set(ids))
    if wanted:
        conn.execute(sa.update(files).where(files.c.id.in_(wanted), files.c.record_id.is_(None))
                     .values(record_id=record_id))
