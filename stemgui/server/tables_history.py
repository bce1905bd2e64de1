"""The history table: one row per create, change, delete and restore of any record (issue 15).

Written in the same transaction as the write it describes (``history.record``), so a record and
its history can never disagree. Rows outlive their records: a deleted record's last row holds
what it was, who could read it (``guard``) and who created it, so it can be listed and restored.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from stemgui.server.tables import Base, now


class RecordHistory(Base):
    __tablename__ = "record_history"
    # a record's rows newest first, and a model's deletions newest first, each by one index
    __table_args__ = (
        Index("ix_record_history_record", "model", "record_id", "id"),
        Index("ix_record_history_operation", "model", "operation", "id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    model: Mapped[str] = mapped_column(String(40), nullable=False)
    record_id: Mapped[str] = mapped_column(String(36), nullable=False)
    operation: Mapped[str] = mapped_column(String(10), nullable=False)  # create, update, delete, restore
    # who: kept as text too, so the row still names them after their account is gone
    user_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    username: Mapped[str] = mapped_column(String(150), default="", nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime, default=now, nullable=False)
    before: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # the API shape, None on create
    after: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # the API shape, None on delete
    changed: Mapped[list] = mapped_column(JSON, default=list, nullable=False)  # fields that differ
    # who could read / change the record after this write (see history.guard_of)
    guard: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    creator_id: Mapped[str | None] = mapped_column(String(36), nullable=True)  # the record's creator
    created_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # the record's
