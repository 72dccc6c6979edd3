"""The working-day calendar (calendar_years, calendar_days), seeded from chinese-calendar for
the years it knows, and the procedure's legal clocks: procedure_time_limits (seeded with the
defaults and their legal basis), procedure_clocks, their suspensions and history.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime
from shared.platform_schema import drop_append_only_v1, make_append_only_v1

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEEDED_BY = "migration 0011"
STEPS = ("preliminary_review", "acceptance", "correction", "joint_review", "decision", "publicity")
OPEN_CLOCK = "state <> 'stopped'"

# The defaults: (step, kind, length in working days, basis). Recognition of a maker space is
# not an administrative licence, so the licensing limits of the Administrative Licensing Law
# apply by analogy; its art. 82 counts them in working days, without statutory holidays.
TIME_LIMITS = (
    (
        "preliminary_review",
        "statutory",
        20,
        "《中华人民共和国行政许可法》第四十三条（下级行政机关自受理之日起二十日内审查完毕，"
        "参照适用）；第八十二条（期限以工作日计算，不含法定节假日）",
    ),
    (
        "acceptance",
        "statutory",
        5,
        "《中华人民共和国行政许可法》第三十二条第一款第（四）项（申请材料不齐全的，五日内一次"
        "告知需要补正的全部内容，参照适用）；第八十二条",
    ),
    (
        "correction",
        "internal",
        10,
        "市科技局内部时限：申请人按一次告知补正材料的期限（法律未规定）",
    ),
    (
        "joint_review",
        "internal",
        20,
        "市科技局内部时限；专家评审（含专家现场考察）所需时间不计算在内（《中华人民共和国行政许可法》"
        "第四十五条）",
    ),
    (
        "decision",
        "statutory",
        20,
        "《中华人民共和国行政许可法》第四十二条第一款（自受理之日起二十日内作出决定，参照适用）"
        "；第八十二条",
    ),
    (
        "publicity",
        "statutory",
        5,
        "《兰州市众创空间认定管理办法》（认定结果在市科技局门户网站公示5个工作日）",
    ),
)


# Where the seed corrects the library, each with the notice that says so. chinese-calendar
# 1.11.0 misses one make-up working day: 国办发明电〔2005〕35号 (the 2006 calendar) moved the
# rest day of Saturday 31 December 2005 to 3 January 2006, "12月31日（星期六）上班". The
# holidays package has it; tests/registry/test_calendar.py checks the two sources.
SEED_CORRECTIONS = {date(2005, 12, 31): "make_up_working_day"}


def _enum(name: str, length: int, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=length, create_constraint=True)


def _notice(year: int) -> str:
    title = f"国务院办公厅关于{year}年部分节假日安排的通知"
    if year == 2005:
        title += (
            "；国务院办公厅关于2006年部分节假日安排的通知（国办发明电〔2005〕35号：12月31日上班）"
        )
    if year == 2020:
        # The Spring Festival holiday was extended to 2 February by a second notice.
        title += "；国务院办公厅关于延长2020年春节假期的通知（国办发明电〔2020〕1号）"
    return title


def _corrected(year: int) -> bool:
    return any(day.year == year for day in SEED_CORRECTIONS)


def _seed_calendar(years: sa.Table, days: sa.Table) -> None:
    import chinese_calendar  # the seed's source; imported only when the seed runs

    version = getattr(chinese_calendar, "__version__", "unknown")
    holidays: dict[int, list[date]] = {}
    make_up: dict[int, list[date]] = {}
    for day in chinese_calendar.holidays:
        holidays.setdefault(day.year, []).append(day)
    for day in chinese_calendar.workdays:
        make_up.setdefault(day.year, []).append(day)
    for day, kind in SEED_CORRECTIONS.items():
        target = make_up if kind == "make_up_working_day" else holidays
        if day not in target.get(day.year, []):
            target.setdefault(day.year, []).append(day)
    now = datetime.now(UTC)
    loaded = sorted(set(holidays) | set(make_up))
    op.bulk_insert(
        years,
        [
            {
                "year": year,
                "version": 1,
                "notice_no": _notice(year),
                "source": f"chinese-calendar {version}"
                + (" (corrected: see the notice)" if _corrected(year) else ""),
                "recorded_at": now,
                "recorded_by": SEEDED_BY,
            }
            for year in loaded
        ],
    )
    op.bulk_insert(
        days,
        [
            {"year": year, "version": 1, "day": day, "kind": kind}
            for year in loaded
            for kind, listed in (("holiday", holidays), ("make_up_working_day", make_up))
            for day in sorted(listed.get(year, []))
        ],
    )


def upgrade() -> None:
    years = op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("notice_no", sa.String(300), nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.CheckConstraint(
            "year BETWEEN 2000 AND 2100", name=op.f("ck_calendar_years_year_in_range")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_calendar_years_version_positive")),
        sa.PrimaryKeyConstraint("year", "version", name=op.f("pk_calendar_years")),
    )
    days = op.create_table(
        "calendar_days",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "kind", _enum("calendar_day_kind", 30, "holiday", "make_up_working_day"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["year", "version"],
            ["calendar_years.year", "calendar_years.version"],
            name=op.f("fk_calendar_days_year_calendar_years"),
        ),
        sa.PrimaryKeyConstraint("year", "version", "day", name=op.f("pk_calendar_days")),
    )
    _seed_calendar(years, days)
    make_append_only_v1(op, "calendar_years")
    make_append_only_v1(op, "calendar_days")

    limits = op.create_table(
        "procedure_time_limits",
        sa.Column("step", _enum("procedure_step", 30, *STEPS), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", _enum("time_limit_kind", 20, "statutory", "internal"), nullable=False),
        sa.Column("basis", sa.String(1000), nullable=False),
        sa.Column("length_wd", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(1000), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.CheckConstraint(
            "length_wd BETWEEN 1 AND 250", name=op.f("ck_procedure_time_limits_length_in_range")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_procedure_time_limits_version_positive")),
        sa.PrimaryKeyConstraint("step", "version", name=op.f("pk_procedure_time_limits")),
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        limits,
        [
            {
                "step": step,
                "version": 1,
                "kind": kind,
                "basis": basis,
                "length_wd": length,
                "reason": "默认值 (the default set when the procedure was introduced)",
                "recorded_at": now,
                "recorded_by": SEEDED_BY,
            }
            for step, kind, length, basis in TIME_LIMITS
        ],
    )
    make_append_only_v1(op, "procedure_time_limits")

    op.create_table(
        "procedure_clocks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("step", _enum("procedure_step", 30, *STEPS), nullable=False),
        sa.Column("kind", _enum("time_limit_kind", 20, "statutory", "internal"), nullable=False),
        sa.Column("basis", sa.String(1000), nullable=False),
        sa.Column("length_wd", sa.Integer(), nullable=False),
        sa.Column("time_limit_version", sa.Integer(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("awaiting_year", sa.Integer(), nullable=True),
        sa.Column("calendar_versions", sa.String(200), nullable=False),
        sa.Column(
            "state", _enum("clock_state", 20, "running", "suspended", "stopped"), nullable=False
        ),
        sa.Column("stopped_on", sa.Date(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "length_wd BETWEEN 1 AND 250", name=op.f("ck_procedure_clocks_length_in_range")
        ),
        sa.CheckConstraint(
            "(state = 'suspended' OR awaiting_year IS NOT NULL) = (due_on IS NULL)",
            name=op.f("ck_procedure_clocks_due_unless_suspended"),
        ),
        sa.CheckConstraint(
            "(state = 'stopped') = (stopped_on IS NOT NULL)",
            name=op.f("ck_procedure_clocks_stopped_on_set"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure_clocks")),
    )
    op.create_index("ix_procedure_clocks_subject_id", "procedure_clocks", ["subject_id"])
    op.create_index("ix_procedure_clocks_state_due_on", "procedure_clocks", ["state", "due_on"])
    op.create_index(
        "uq_procedure_clocks_open_step",
        "procedure_clocks",
        ["subject_id", "step"],
        unique=True,
        postgresql_where=sa.text(OPEN_CLOCK),
        sqlite_where=sa.text(OPEN_CLOCK),
    )

    op.create_table(
        "procedure_clock_suspensions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("clock_id", sa.Uuid(), nullable=False),
        sa.Column("suspended_on", sa.Date(), nullable=False),
        sa.Column("resumed_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(1000), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "resumed_on IS NULL OR resumed_on >= suspended_on",
            name=op.f("ck_procedure_clock_suspensions_resumes_after_it_stops"),
        ),
        sa.ForeignKeyConstraint(
            ["clock_id"],
            ["procedure_clocks.id"],
            name=op.f("fk_procedure_clock_suspensions_clock_id_procedure_clocks"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure_clock_suspensions")),
    )
    op.create_index(
        "ix_procedure_clock_suspensions_clock_id", "procedure_clock_suspensions", ["clock_id"]
    )

    op.create_table(
        "procedure_clock_history",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("clock_id", sa.Uuid(), nullable=False),
        sa.Column("cause", sa.String(50), nullable=False),
        sa.Column("calendar_year", sa.Integer(), nullable=False),
        sa.Column("calendar_version", sa.Integer(), nullable=False),
        sa.Column("old_due_on", sa.Date(), nullable=True),
        sa.Column("new_due_on", sa.Date(), nullable=True),
        sa.Column("old_calendar_versions", sa.String(200), nullable=False),
        sa.Column("new_calendar_versions", sa.String(200), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["clock_id"],
            ["procedure_clocks.id"],
            name=op.f("fk_procedure_clock_history_clock_id_procedure_clocks"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure_clock_history")),
    )
    op.create_index("ix_procedure_clock_history_clock_id", "procedure_clock_history", ["clock_id"])
    make_append_only_v1(op, "procedure_clock_history")


def downgrade() -> None:
    drop_append_only_v1(op, "procedure_clock_history")
    op.drop_table("procedure_clock_history")
    op.drop_table("procedure_clock_suspensions")
    op.drop_table("procedure_clocks")
    drop_append_only_v1(op, "procedure_time_limits")
    op.drop_table("procedure_time_limits")
    drop_append_only_v1(op, "calendar_days")
    drop_append_only_v1(op, "calendar_years")
    op.drop_table("calendar_days")
    op.drop_table("calendar_years")
