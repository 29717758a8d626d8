"""Publishing a draft: the preview in plain words, the confirmation it may need, the publish, restores.

Publishing is the ordinary apply (`registry/apply.py`: the same validation, data checks, versions and diff
as `jimu app apply`). The preview runs the same validation, diff and data checks without changing anything
and says what would happen: each change in plain words, the records a change would refuse (counted, with
sample ids), the rows a new default fills. A change that archives data or converts existing values needs a
confirmation: the preview gives a token naming exactly that draft, installed revision and diff, and publish
refuses without it (or with a stale one).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.platform.errors import ConflictError, DefinitionError, ErrorDetail, SchemaChangeError
from jimu.platform.i18n import SUPPORTED_LOCALES, translate
from jimu.platform.meta import definition_versions
from jimu.platform.registry.apply import ApplyResult, apply_app, lock_definitions
from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.drafts import Draft, discard_draft, get_draft, save_draft
from jimu.platform.registry.plain_words import Labels, plain_changes
from jimu.platform.registry.repository import get_version, installed_definition, load_apps
from jimu.platform.registry.sections import Sections
from jimu.platform.registry.validation import validate_app
from jimu.platform.storage.archive import load_archived
from jimu.platform.storage.data_checks import check_changes
from jimu.platform.storage.diff import compute_diff

SAMPLE_IDS = 10


@dataclass
class Preview:
    """What publishing a draft would do."""

    app: str
    draft_version: int
    installed_revision: int
    changes: list[dict[str, Any]] = field(default_factory=list)
    refusals: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)  # the definition is invalid (JSON paths)
    unchanged: bool = False

    @property
    def needs_confirmation(self) -> bool:
        return any(change["needs_confirmation"] for change in self.changes)

    @property
    def publishable(self) -> bool:
        return not self.refusals and not self.problems and not self.unchanged

    @property
    def confirm_token(self) -> str | None:
        if not self.needs_confirmation:
            return None
        # the changes confirmed, not the others: a record created meanwhile (another default fill count) does not
        # make the confirmation stale, another draft version, installed revision or risky change does
        risky = [{k: c.get(k) for k in ("kind", "entity", "field_key", "details")}
                 for c in self.changes if c["needs_confirmation"]]
        stated = {"app": self.app, "draft": self.draft_version, "installed": self.installed_revision, "changes": risky}
        return hashlib.sha256(json.dumps(stated, sort_keys=True, default=str).encode()).hexdigest()[:24]

    def as_dict(self) -> dict[str, Any]:
        return {"app": self.app, "draft_version": self.draft_version, "installed_revision": self.installed_revision,
                "publishable": self.publishable, "unchanged": self.unchanged,
                "needs_confirmation": self.needs_confirmation, "confirm_token": self.confirm_token,
                "changes": self.changes, "refusals": self.refusals, "problems": self.problems}


def preview_draft(conn: sa.Connection, draft: Draft, *, locale: str = "en",
                  sections: Sections | None = None) -> Preview:
    """The plain-words preview of publishing `draft`; nothing is changed."""
    preview = Preview(draft.app, draft.version, draft.installed_revision)
    installed = load_apps(conn)
    try:
        app, catalog = validate_app(draft.definition, installed, locale=locale, sections=sections)
    except DefinitionError as error:
        preview.problems = [d.as_dict() for d in error.details] or [error.as_dict()]
        return preview
    old_definition = installed_definition(conn, app.key)
    labels = Labels([app.raw, old_definition])
    if old_definition == app.raw:
        preview.unchanged = True
        return preview
    archived = load_archived(conn)
    try:
        diff = compute_diff(Catalog(installed), catalog, app.key, archived, locale=locale)
    except SchemaChangeError as error:
        preview.refusals = [_refusal_of_error(error, locale)]
        return preview
    try:
        plan = check_changes(conn, diff, archived, locale=locale)
        diff.changes += plan.fills
    except SchemaChangeError as error:
        preview.refusals = refusals(error, labels, locale)
    preview.changes = plain_changes(diff.as_dict(), labels)
    return preview


def refusals(error: SchemaChangeError, labels: Labels, locale: str) -> list[dict[str, Any]]:
    """The records a change refuses, grouped by field and reason: count, sample ids, words in each language."""
    groups: dict[tuple[str, str], list[ErrorDetail]] = {}
    for detail in error.details:
        groups.setdefault((detail.path, detail.code), []).append(detail)
    counted: Mapping[str, int] = error.params.get("refused_rows") or {}
    out = []
    for (path, code), details in groups.items():
        entity, _, field_name = path.partition(".")
        ids: list[Any] = []
        for detail in details:
            ids += detail.params.get("ids") or ([detail.params["id"]] if "id" in detail.params else [])
        count = counted.get(path) or sum(int(d.params.get("count", 1)) for d in details)
        what = labels.field(entity, field_name, field_name, locale) if field_name else translate(code, locale)
        words = {}
        for lang in SUPPORTED_LOCALES:
            shown = labels.field(entity, field_name, field_name, lang) if field_name else code
            words[lang] = translate("designer.refusal", lang, count=count, entity=labels.entity(entity, lang),
                                    what=shown, ids=", ".join(f"#{i}" for i in ids[:SAMPLE_IDS]))
        out.append({"entity": entity, "field": field_name or None, "code": code, "count": count,
                    "sample_ids": ids[:SAMPLE_IDS], "what": what, "words": words,
                    "records": [d.as_dict() for d in details]})
    return out


def _refusal_of_error(error: SchemaChangeError, locale: str) -> dict[str, Any]:
    """A refusal raised before the data checks (an entity changing between line entity and normal)."""
    return {"entity": error.params.get("entity"), "field": None, "code": error.code, "count": 0, "sample_ids": [],
            "what": error.message, "words": {lang: translate(error.code, lang, **error.params)
                                             for lang in SUPPORTED_LOCALES}, "records": []}


def publish_draft(conn: sa.Connection, app_key: str, *, expected_version: int | None, confirm: str | None,
                  locale: str = "en", sections: Sections | None = None, user_id: int | None = None,
                  now: datetime) -> tuple[ApplyResult, Preview]:
    """Apply the app's draft (the ordinary apply), then drop the stored draft.

    Raises ConflictError `drafts.version_conflict` (the draft moved on), `drafts.confirmation_required` /
    `drafts.confirmation_stale` (it archives or converts data and `confirm` is not the preview's token),
    and whatever the apply raises (DefinitionError, SchemaChangeError listing the refusing records).
    """
    lock_definitions(conn)  # the preview and the apply see the same installed definitions
    draft = get_draft(conn, app_key, locale=locale)
    if expected_version is not None and expected_version != draft.version:
        code = "drafts.version_conflict"
        raise ConflictError(translate(code, locale, app=app_key, expected=expected_version, current=draft.version),
                            code=code, app=app_key, expected=expected_version, current=draft.version)
    preview = preview_draft(conn, draft, locale=locale, sections=sections)
    if preview.needs_confirmation and confirm != preview.confirm_token:
        code = "drafts.confirmation_stale" if confirm else "drafts.confirmation_required"
        message = translate(code, locale)
        raise ConflictError(message, details=[ErrorDetail("confirm", code, message=message)], code=code, app=app_key)
    result = apply_app(conn, draft.definition, user_id=user_id, locale=locale, now=now, sections=sections)
    discard_draft(conn, app_key, expected_version=None)
    return result, preview


def restore_version(conn: sa.Connection, app_key: str, revision: int, *, expected_version: int | None,
                    user_id: int | None, now: datetime, locale: str = "en") -> Draft:
    """Put a published revision's definition into the draft; publishing it is the same safe path as any."""
    definition = get_version(conn, app_key, revision)["definition"]
    return save_draft(conn, app_key, dict(definition), expected_version=expected_version, user_id=user_id, now=now,
                      locale=locale)


def history(conn: sa.Connection, app_key: str) -> list[dict[str, Any]]:
    """Every published revision, newest first, with its diff in plain words."""
    v = definition_versions
    rows = conn.execute(sa.select(v.c.revision, v.c.version, v.c.applied_at, v.c.applied_by, v.c.diff,
                                  v.c.definition).where(v.c.app_key == app_key).order_by(v.c.revision)).mappings()
    out: list[dict[str, Any]] = []
    previous: dict[str, Any] | None = None
    for row in rows:
        labels = Labels([row["definition"], previous])
        out.append({"revision": row["revision"], "version": row["version"], "applied_at": row["applied_at"],
                    "applied_by": row["applied_by"], "changes": plain_changes(row["diff"] or [], labels)})
        previous = row["definition"]
    out.reverse()
    return out
