"""National-scale registry data (``make seed-scale``): 10,000 spaces, 1,000,000 teams, 200,000
activities, with operators, status histories, levels, assessments, conditions, staff and
compliance records, loaded into PostgreSQL with COPY.

Run from the repository root as ``python -m tests.bench.registry_seed``. Without
``--database-url`` it (re)creates the scratch database ``lzms_registry_scale`` on the server of
``TEST_POSTGRES_DSN`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``) and migrates
it; with one, the database must be migrated to head (it is migrated if it is not) and hold no
spaces yet. Everything is insert-only and in one transaction, so every CHECK, unique key and
foreign key is checked as the rows arrive and a failure leaves nothing behind; the append-only
tables only ever see INSERTs. The same ``--seed`` gives the same rows (ids included). History
is dated up to ``REFERENCE_DATE``, so the data never lies in the future whenever it is run.

No event outbox rows are written: the history stands for records imported before events
existed, and a subscriber must not receive ten thousand recognitions from a benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg

from shared import migrate

PG_ADMIN_DSN = os.environ.get("TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
SCRATCH_DATABASE = "lzms_registry_scale"
REFERENCE_DATE = date(2026, 11, 1)  # the "today" of the generated history
SEED = 20181126
RECORDED_BY = "seed-scale"
CHUNK = 20_000

# Where spaces are: weights by jurisdiction (the urban districts and the high-tech zone lead).
JURISDICTION_WEIGHTS = {
    "620102": 22,
    "620103": 12,
    "620104": 8,
    "620105": 10,
    "620111": 3,
    "620121": 3,
    "620122": 3,
    "620123": 6,
    "LZXQ": 9,
    "LZGXQ": 16,
    "LZJJQ": 8,
}
JURISDICTION_NAMES = {
    "620102": "城关",
    "620103": "七里河",
    "620104": "西固",
    "620105": "安宁",
    "620111": "红古",
    "620121": "永登",
    "620122": "皋兰",
    "620123": "榆中",
    "LZXQ": "兰州新区",
    "LZGXQ": "兰州高新区",
    "LZJJQ": "兰州经济区",
}
# Region code (positions 3-8 of a USCC); the zones register with the city's code.
REGION_CODES = {code: code if code.isdigit() else "620100" for code in JURISDICTION_WEIGHTS}
FORMS = {"comprehensive": 70, "specialised": 22, "virtual": 8}
PROFILES = {
    "tech_startup": 30,
    "internet_plus": 20,
    "comprehensive_services": 18,
    "e_commerce": 12,
    "culture": 12,
    "modern_agriculture": 8,
}
OPERATOR_KINDS = {
    "enterprise": 70,
    "university": 10,
    "research_institute": 8,
    "public_institution": 7,
    "other": 5,
}
GRADES = {"优秀": 34, "良好": 46, "合格": 12, "不合格": 8}
ACTIVITY_KINDS = {
    "training": 30,
    "salon": 20,
    "lecture": 15,
    "camp": 5,
    "roadshow": 12,
    "mentoring": 18,
}
ACTIVITY_ZH = {
    "training": "创业培训",
    "salon": "创业沙龙",
    "lecture": "创新创业大讲堂",
    "camp": "创业训练营",
    "roadshow": "项目路演",
    "mentoring": "创业辅导",
}
TOPICS = (
    "融资对接",
    "知识产权",
    "电商运营",
    "财税实务",
    "股权设计",
    "市场营销",
    "技术转移",
    "政策解读",
)
NAME_WORDS = (
    "创客", "智造", "星火", "丝路", "黄河", "金城", "陇原", "未来", "启航", "云端",
    "数智", "青创", "科创", "汇智", "众联", "新材", "绿洲", "敦煌", "飞天", "百合",
)  # fmt: skip
TEAM_WORDS = (
    "智能", "数据", "农业", "文创", "电商", "医药", "新能源", "材料", "软件", "物联",
    "教育", "旅游", "环保", "装备", "生物", "传媒",
)  # fmt: skip
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
STAFF_ROLES = ("主任", "副主任", "孵化经理", "创业导师", "运营专员", "财务")
QUALIFICATIONS = ("创业导师证书", "技术经纪人", "中级经济师", "孵化器从业人员培训合格", "会计师")
SUBFIELDS = ("新一代信息技术", "高端装备制造", "新材料", "生物医药", "节能环保", "新能源")
BASIC = (
    "broadband",
    "flexible_workstations",
    "internet_resources",
    "public_software",
    "shared_office",
)
STARTUP = ("financing", "mentoring", "registration")
COORDINATED = (
    "certification_testing", "financial_services", "intellectual_property",
    "rd_design", "results_trading", "tech_intermediary",
)  # fmt: skip
FINANCING_MODES = ("acquisition_of_results", "angel_investment", "loans")

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_VALUE = {char: index for index, char in enumerate(USCC_ALPHABET)}


def uscc_with_check(body: str) -> str:
    """The 17 characters and their check character (GB 32100-2015)."""
    total = sum(_USCC_VALUE[c] * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return body + USCC_ALPHABET[(31 - total % 31) % 31]


def _org_part(serial: int) -> str:
    """Nine USCC characters, unique per serial, spread over the alphabet (31^9 > 2^44)."""
    value = (serial * 2_654_435_761 + 12_345) % 31**9
    chars = []
    for _ in range(9):
        value, digit = divmod(value, 31)
        chars.append(USCC_ALPHABET[digit])
    return "".join(chars)


@dataclass(frozen=True)
class Scale:
    spaces: int = 10_000
    teams: int = 1_000_000
    activities: int = 200_000


@dataclass
class SpacePlan:
    """What later tables need to know about a generated space."""

    id: uuid.UUID
    jurisdiction: str
    form: str
    opened_on: date
    # (from, to exclusive or None, status) periods, for assessments.
    periods: list[tuple[date, date | None, str]] = field(default_factory=list)
    weight: float = 1.0


class Generator:
    """Deterministic rows for every table, in an order that satisfies the foreign keys."""

    def __init__(self, seed: int, scale: Scale) -> None:
        self.rng = random.Random(seed)
        self.scale = scale
        self.spaces: list[SpacePlan] = []
        self._uscc_serial = 0

    # ---- helpers ----
    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def pick(self, weights: dict[str, int]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def day_between(self, start: date, end: date) -> date:
        if end <= start:
            return start
        return start + timedelta(days=self.rng.randrange((end - start).days + 1))

    def instant(self, day: date) -> datetime:
        """A recording instant on ``day`` (working hours, China time, stored as UTC)."""
        seconds = self.rng.randrange(1 * 3600, 9 * 3600)  # 09:00-17:00 +08:00
        return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=seconds)

    def uscc(self, region: str, authority: str = "9", category: str = "1") -> str:
        self._uscc_serial += 1
        return uscc_with_check(authority + category + region + _org_part(self._uscc_serial))

    def person(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(
            self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2)))
        )

    # ---- operators and spaces ----
    def operators_and_spaces(
        self,
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        operators: list[tuple[Any, ...]] = []
        versions: list[tuple[Any, ...]] = []
        spaces: list[tuple[Any, ...]] = []
        last_operator: dict[str, tuple[uuid.UUID, date]] = {}
        rng = self.rng
        for index in range(self.scale.spaces):
            jurisdiction = self.pick(JURISDICTION_WEIGHTS)
            opened_on = self.day_between(date(2012, 1, 1), REFERENCE_DATE - timedelta(days=60))
            reuse = last_operator.get(jurisdiction)
            if reuse is not None and rng.random() < 0.1 and reuse[1] <= opened_on:
                operator_id = reuse[0]
            else:
                operator_id = self.uuid()
                kind = self.pick(OPERATOR_KINDS)
                founded_on = self.day_between(date(1990, 1, 1), opened_on)
                authority = {"enterprise": "9", "university": "1", "other": "5"}.get(kind, "1")
                category = "1" if authority == "9" else "2"
                suffix = "科技有限公司" if kind == "enterprise" else "创新服务中心"
                name = (
                    f"兰州{rng.choice(NAME_WORDS)}{rng.choice(TEAM_WORDS)}{suffix}"
                    f"{len(operators) + 1}"
                )
                created_at = self.instant(max(opened_on, date(2018, 6, 1)))
                state = (
                    self.uscc(REGION_CODES[jurisdiction], authority, category),
                    name,
                    kind,
                    founded_on,
                    f"甘肃省兰州市{JURISDICTION_NAMES[jurisdiction]}"
                    f"创业大道{rng.randrange(1, 999)}号",
                    True,
                    jurisdiction,
                    False,
                    None,
                    None,
                    True,
                    kind in ("university", "research_institute") or rng.random() < 0.4,
                    rng.random() < 0.85,
                )
                operators.append(
                    (operator_id, *state, 1, created_at, RECORDED_BY, created_at, RECORDED_BY)
                )
                versions.append((operator_id, 1, created_at, RECORDED_BY, *state))
                last_operator[jurisdiction] = (operator_id, founded_on)
            form = self.pick(FORMS)
            space = SpacePlan(
                id=self.uuid(),
                jurisdiction=jurisdiction,
                form=form,
                opened_on=opened_on,
                weight=rng.lognormvariate(0, 0.6),
            )
            self.spaces.append(space)
            created_at = self.instant(max(opened_on, date(2018, 6, 1))) + timedelta(
                microseconds=index
            )
            name = f"{rng.choice(NAME_WORDS)}{rng.choice(TEAM_WORDS)}众创空间{index + 1:05d}"
            spaces.append(
                (
                    space.id,
                    name,
                    jurisdiction,
                    form,
                    self.pick(PROFILES),
                    opened_on,
                    created_at,
                    RECORDED_BY,
                    operator_id,
                )
            )
        return operators, versions, spaces

    # ---- status, levels, assessments ----
    def history(
        self,
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """(status changes, level grants, level ends); fills each space's status periods."""
        changes: list[tuple[Any, ...]] = []
        grants: list[tuple[Any, ...]] = []
        ends: list[tuple[Any, ...]] = []
        for space in self.spaces:
            self._history_of(space, changes, grants, ends)
        return changes, grants, ends

    def _history_of(
        self,
        space: SpacePlan,
        changes: list[tuple[Any, ...]],
        grants: list[tuple[Any, ...]],
        ends: list[tuple[Any, ...]],
    ) -> None:
        rng = self.rng
        seq = 1

        def change(
            act: str,
            status: str,
            on: date,
            document_no: str | None = None,
            deadline: date | None = None,
            reason: str | None = None,
            basis: str | None = None,
        ) -> uuid.UUID:
            nonlocal seq
            change_id = self.uuid()
            changes.append(
                (
                    change_id,
                    space.id,
                    seq,
                    act,
                    status,
                    on,
                    document_no,
                    deadline,
                    reason,
                    basis,
                    None,
                    self.instant(max(on, date(2018, 6, 1))),
                    RECORDED_BY,
                )
            )
            if space.periods:
                start, _, previous = space.periods[-1]
                space.periods[-1] = (start, on, previous)
            space.periods.append((on, None, status))
            seq += 1
            return change_id

        def doc(on: date) -> str:
            return f"兰科发〔{on.year}〕{rng.randrange(1, 300)}号"

        change("registered", "applicant", space.opened_on)
        recognised_on = space.opened_on + timedelta(days=rng.randrange(380, 1100))
        if rng.random() > 0.78 or recognised_on > REFERENCE_DATE:
            return
        recognition = change("recognition", "recognised", recognised_on, doc(recognised_on))
        municipal = self.uuid()
        grants.append(
            (
                municipal,
                space.id,
                "municipal",
                doc(recognised_on),
                recognised_on,
                recognition,
                self.instant(max(recognised_on, date(2018, 6, 1))),
                RECORDED_BY,
            )
        )
        for level, share, prefix in (
            ("provincial", 0.6, "甘科高"),
            ("national_filing", 0.2, "国科火字"),
        ):
            granted_on = recognised_on + timedelta(days=rng.randrange(200, 900))
            if rng.random() < share and granted_on <= REFERENCE_DATE:
                grants.append(
                    (
                        self.uuid(),
                        space.id,
                        level,
                        f"{prefix}〔{granted_on.year}〕{rng.randrange(1, 200)}号",
                        granted_on,
                        None,
                        self.instant(max(granted_on, date(2018, 6, 1))),
                        RECORDED_BY,
                    )
                )
        fate = rng.random()
        if fate < 0.10:  # a failed year: rectification, then done or revoked
            on = recognised_on + timedelta(days=rng.randrange(400, 1500))
            if on > REFERENCE_DATE:
                return
            deadline = on + timedelta(days=180)
            change("rectification", "under_rectification", on, doc(on), deadline=deadline)
            later = on + timedelta(days=rng.randrange(60, 400))
            if later > REFERENCE_DATE:
                return
            if rng.random() < 0.7:
                change("rectification_end", "recognised", later, doc(later))
                return
            on = later
            reason, basis = (
                "failed_assessments",
                "《兰州市众创空间认定管理办法》连续两年考核不合格",
            )
        elif fate < 0.13:
            on = recognised_on + timedelta(days=rng.randrange(300, 2000))
            if on > REFERENCE_DATE:
                return
            reason, basis = "false_materials", "《兰州市众创空间认定管理办法》提供虚假材料"
        else:
            return
        revocation = change("revocation", "revoked", on, doc(on), reason=reason, basis=basis)
        ends.append(
            (
                municipal,
                on,
                doc(on),
                "认定已取消",
                revocation,
                self.instant(max(on, date(2018, 6, 1))),
                RECORDED_BY,
            )
        )

    def assessments(self) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = []
        rng = self.rng
        for space in self.spaces:
            for start, end, status in space.periods:
                if status not in ("recognised", "under_rectification"):
                    continue
                for year in range(max(start.year, 2016), REFERENCE_DATE.year):
                    assessed_on = date(year + 1, 3, rng.randrange(10, 28))
                    if assessed_on < start or (end is not None and assessed_on >= end):
                        continue
                    if assessed_on > REFERENCE_DATE:
                        continue
                    document_no = f"兰科发〔{year + 1}〕{rng.randrange(1, 300)}号"
                    grade = self.pick(GRADES)
                    recorded = self.instant(max(assessed_on, date(2018, 6, 1)))
                    rows.append(
                        (self.uuid(), space.id, year, 1, grade, document_no, assessed_on, None,
                         recorded, RECORDED_BY)
                    )  # fmt: skip
                    if rng.random() < 0.02:
                        rows.append(
                            (self.uuid(), space.id, year, 2, self.pick(GRADES), document_no,
                             assessed_on + timedelta(days=20), "复核后更正等次",
                             recorded + timedelta(days=20), RECORDED_BY)
                        )  # fmt: skip
        return rows

    # ---- conditions ----
    def conditions(self) -> dict[str, list[tuple[Any, ...]]]:
        rng = self.rng
        tables: dict[str, list[tuple[Any, ...]]] = {
            name: []
            for name in (
                "space_premises_versions",
                "space_online_platform_versions",
                "space_facilities_versions",
                "space_management_rules_versions",
                "space_services_versions",
                "space_financing_versions",
                "space_specialisation_versions",
            )
        }

        def version(table: str, space: SpacePlan, number: int, on: date, *content: Any) -> None:
            tables[table].append(
                (self.uuid(), number, on, None, self.instant(max(on, date(2018, 6, 1))),
                 RECORDED_BY, space.id, *content)
            )  # fmt: skip

        for space in self.spaces:
            on = space.opened_on
            premises_on = on
            for number in (1, 2):
                total = rng.randrange(30_000, 600_000)  # hundredths of a m²: 300-6,000 m²
                if space.form == "virtual":
                    total = rng.randrange(5_000, 40_000)
                service = total * rng.randrange(60, 95) // 100
                office = total * rng.randrange(75, 98) // 100
                leased = rng.random() < 0.75
                lease_start = premises_on - timedelta(days=rng.randrange(0, 200))
                years = rng.randrange(3, 11)
                lease_end = date(
                    lease_start.year + years, lease_start.month, min(lease_start.day, 28)
                ) - timedelta(days=1)
                version(
                    "space_premises_versions",
                    space,
                    number,
                    premises_on,
                    total,
                    service,
                    office,
                    service // 2_500,  # one workstation per 25 m² of service area
                    "leased" if leased else "owned",
                    lease_start if leased else None,
                    lease_end if leased else None,
                )
                premises_on = premises_on + timedelta(days=rng.randrange(400, 2500))
                if rng.random() > 0.2 or premises_on > REFERENCE_DATE:
                    break
            if space.form == "virtual" or rng.random() < 0.3:
                version(
                    "space_online_platform_versions", space, 1, on, True,
                    f"https://zc{rng.randrange(10**6):06d}.example.cn", True, rng.random() < 0.9,
                )  # fmt: skip
            version(
                "space_facilities_versions", space, 1, on,
                *(rng.random() < 0.97 for _ in range(7)),
            )  # fmt: skip
            version(
                "space_management_rules_versions", space, 1, on,
                *(rng.random() < 0.95 for _ in range(4)),
            )  # fmt: skip
            version(
                "space_services_versions", space, 1, on,
                json.dumps(sorted(rng.sample(BASIC, rng.randrange(3, 6)))),
                json.dumps(sorted(rng.sample(STARTUP, rng.randrange(1, 4)))),
                json.dumps(sorted(rng.sample(COORDINATED, rng.randrange(2, 7)))),
                rng.random() < 0.8,
            )  # fmt: skip
            modes = sorted(rng.sample(FINANCING_MODES, rng.randrange(0, 4)))
            version(
                "space_financing_versions", space, 1, on, rng.random() < 0.7, json.dumps(modes),
                rng.randrange(0, 500) * 1_000_000,
            )  # fmt: skip
            if space.form == "specialised":
                version(
                    "space_specialisation_versions", space, 1, on, rng.choice(SUBFIELDS),
                    rng.random() < 0.85,
                )  # fmt: skip
        return tables

    # ---- staff, compliance ----
    def staff(self) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = []
        rng = self.rng
        for space in self.spaces:
            for _ in range(rng.randrange(3, 9)):
                started = self.day_between(space.opened_on, REFERENCE_DATE)
                ended = None
                if rng.random() < 0.2:
                    ended = self.day_between(started, REFERENCE_DATE)
                created = self.instant(max(started, date(2018, 6, 1)))
                rows.append(
                    (self.uuid(), space.id, self.person(), rng.choice(STAFF_ROLES),
                     rng.choice(QUALIFICATIONS) if rng.random() < 0.85 else None, started, ended,
                     None if ended is None else self.instant(max(ended, created.date())),
                     None if ended is None else RECORDED_BY, created, RECORDED_BY)
                )  # fmt: skip
        return rows

    def compliance(self) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        incidents: list[tuple[Any, ...]] = []
        listings: list[tuple[Any, ...]] = []
        rng = self.rng
        for space in self.spaces:
            if rng.random() < 0.03:
                on = self.day_between(space.opened_on, REFERENCE_DATE)
                incidents.append(
                    (self.uuid(), space.id,
                     rng.choice(("safety", "quality", "environmental", "research_misconduct")),
                     rng.choice(("major", "serious", "ordinary", "ordinary")), on,
                     "生成的事件记录", self.instant(max(on, date(2018, 6, 1))), RECORDED_BY)
                )  # fmt: skip
            if rng.random() < 0.02:
                on = self.day_between(space.opened_on, REFERENCE_DATE)
                removed = self.day_between(on, REFERENCE_DATE) if rng.random() < 0.5 else None
                created = self.instant(max(on, date(2018, 6, 1)))
                listings.append(
                    (self.uuid(), space.id,
                     rng.choice(("abnormal_operation", "serious_violation")), on, "未按时公示年报",
                     removed, None if removed is None else created + timedelta(days=1),
                     None if removed is None else RECORDED_BY, created, RECORDED_BY)
                )  # fmt: skip
        return incidents, listings

    # ---- the bulk: teams, their events, activities ----
    def _shares(self, total: int) -> list[int]:
        """``total`` split over the spaces in proportion to their weights (sums exactly)."""
        weight_sum = sum(space.weight for space in self.spaces)
        counts = [int(total * space.weight / weight_sum) for space in self.spaces]
        for index in range(total - sum(counts)):
            counts[index % len(counts)] += 1
        return counts

    def teams(self) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
        """Chunks of (teams, team events): every team joined; some graduated or exited."""
        rng = self.rng
        serial = 0
        teams: list[tuple[Any, ...]] = []
        events: list[tuple[Any, ...]] = []
        for space, count in zip(self.spaces, self._shares(self.scale.teams), strict=True):
            region = REGION_CODES[space.jurisdiction]
            span = (REFERENCE_DATE - space.opened_on).days
            for _ in range(count):
                serial += 1
                team_id = self.uuid()
                joined = space.opened_on + timedelta(days=rng.randrange(span + 1))
                stay = int(rng.expovariate(1 / 900))
                left: date | None = joined + timedelta(days=stay)
                enterprise: str | None = None
                enterprise_uscc: str | None = None
                if left is not None and left > REFERENCE_DATE:
                    left, status = None, "in_incubation"
                elif rng.random() < 0.6:
                    status = "graduated"
                    enterprise = (
                        f"兰州{rng.choice(TEAM_WORDS)}{rng.choice(NAME_WORDS)}科技有限公司{serial}"
                    )
                    enterprise_uscc = self.uscc(region) if rng.random() < 0.8 else None
                else:
                    status = "exited"
                registered = rng.random() < 0.35
                name = f"{rng.choice(TEAM_WORDS)}{rng.choice(NAME_WORDS)}创业团队{serial}"
                created = self.instant(max(joined, date(2018, 6, 1)))
                teams.append(
                    (team_id, space.id, name, self.uscc(region) if registered else None,
                     rng.choice(("high_tech", "high_tech", "modern_service", "other")), joined,
                     status, left, enterprise, enterprise_uscc, created, RECORDED_BY)
                )  # fmt: skip
                events.append(
                    (self.uuid(), team_id, "joined", joined, None, None, created, RECORDED_BY)
                )
                if left is not None:
                    events.append(
                        (self.uuid(), team_id, status, left, enterprise, enterprise_uscc,
                         max(created, self.instant(max(left, date(2018, 6, 1)))), RECORDED_BY)
                    )  # fmt: skip
                if len(teams) >= CHUNK:
                    yield teams, events
                    teams, events = [], []
        if teams:
            yield teams, events

    def activities(self) -> Iterator[list[tuple[Any, ...]]]:
        rng = self.rng
        chunk: list[tuple[Any, ...]] = []
        kinds = list(ACTIVITY_KINDS)
        kind_weights = list(ACTIVITY_KINDS.values())
        for space, count in zip(self.spaces, self._shares(self.scale.activities), strict=True):
            start = max(space.opened_on, date(2018, 1, 1))
            span = max(0, (REFERENCE_DATE - start).days)
            for _ in range(count):
                kind = rng.choices(kinds, weights=kind_weights)[0]
                held = start + timedelta(days=rng.randrange(span + 1))
                attendance = rng.randrange(8, 400 if kind in ("roadshow", "lecture") else 80)
                chunk.append(
                    (self.uuid(), space.id, kind, f"{ACTIVITY_ZH[kind]}：{rng.choice(TOPICS)}",
                     held, attendance, self.instant(max(held, date(2018, 6, 1))), RECORDED_BY)
                )  # fmt: skip
                if len(chunk) >= CHUNK:
                    yield chunk
                    chunk = []
        if chunk:
            yield chunk


COLUMNS: dict[str, tuple[str, ...]] = {
    "operators": (
        "id", "uscc", "name", "kind", "founded_on", "registered_address", "registered_in_lanzhou",
        "jurisdiction_code", "uscc_override", "override_reason", "override_by",
        "independent_legal_person", "innovative_enterprise", "stable_revenue_evidence",
        "version", "created_at", "created_by", "updated_at", "updated_by",
    ),
    "operator_versions": (
        "operator_id", "version", "valid_from", "recorded_by", "uscc", "name", "kind",
        "founded_on", "registered_address", "registered_in_lanzhou", "jurisdiction_code",
        "uscc_override", "override_reason", "override_by", "independent_legal_person",
        "innovative_enterprise", "stable_revenue_evidence",
    ),
    "spaces": (
        "id", "name", "jurisdiction_code", "form", "profile", "opened_on", "created_at",
        "created_by", "operator_id",
    ),
    "space_status_changes": (
        "id", "space_id", "seq", "act", "status", "effective_on", "document_no",
        "rectification_deadline", "revocation_reason", "legal_basis", "remarks", "recorded_at",
        "recorded_by",
    ),
    "space_level_grants": (
        "id", "space_id", "level", "document_no", "effective_on", "status_change_id",
        "recorded_at", "recorded_by",
    ),
    "space_level_ends": (
        "grant_id", "ended_on", "document_no", "reason", "status_change_id", "recorded_at",
        "recorded_by",
    ),
    "space_assessments": (
        "id", "space_id", "year", "revision", "grade", "document_no", "assessed_on",
        "correction_reason", "recorded_at", "recorded_by",
    ),
    "space_premises_versions": (
        "total_area_m2", "service_area_m2", "office_and_public_service_area_m2",
        "independent_workstations", "tenure", "lease_start", "lease_end",
    ),
    "space_online_platform_versions": (
        "operates_online_platform", "platform_url", "connects_resources",
        "offers_incubation_services",
    ),
    "space_facilities_versions": (
        "power", "water", "fire_safety", "telecoms", "network", "ready_to_move_in",
        "free_or_low_cost_space",
    ),
    "space_management_rules_versions": (
        "admission_assessment", "financial_management", "daily_services", "exit_mechanism",
    ),
    "space_services_versions": (
        "basic_services", "startup_services", "coordinated_services", "online_and_offline",
    ),
    "space_financing_versions": ("seed_fund", "financing_modes", "invested_amount_fen"),
    "space_specialisation_versions": (
        "strategic_emerging_industry_subfield", "rd_and_industrialisation_evidence",
    ),
    "staff_members": (
        "id", "space_id", "name", "role", "qualifications", "started_on", "ended_on",
        "ended_recorded_at", "ended_recorded_by", "created_at", "created_by",
    ),
    "compliance_incidents": (
        "id", "space_id", "kind", "severity", "occurred_on", "description", "created_at",
        "created_by",
    ),
    "compliance_listings": (
        "id", "space_id", "list_kind", "listed_on", "reason", "removed_on",
        "removed_recorded_at", "removed_recorded_by", "created_at", "created_by",
    ),
    "teams": (
        "id", "space_id", "name", "uscc", "field", "joined_on", "status", "left_on",
        "registered_enterprise_name", "registered_enterprise_uscc", "created_at", "created_by",
    ),
    "team_events": (
        "id", "team_id", "kind", "occurred_on", "registered_enterprise_name",
        "registered_enterprise_uscc", "recorded_at", "recorded_by",
    ),
    "activities": (
        "id", "space_id", "kind", "title", "held_on", "attendance", "created_at", "created_by",
    ),
}  # fmt: skip
VERSION_COLUMNS = ("id", "version", "effective_on", "remarks", "recorded_at", "recorded_by",
                   "space_id")  # fmt: skip
for _table in list(COLUMNS):
    if _table.endswith("_versions") and _table.startswith("space_"):
        COLUMNS[_table] = VERSION_COLUMNS + COLUMNS[_table]


TEAM_DAY_COUNTS = """
INSERT INTO team_day_counts (jurisdiction_code, day, joined_count, left_count, graduated_count)
SELECT spaces.jurisdiction_code, events.day, SUM(events.joined), SUM(events.left_),
       SUM(events.graduated)
FROM (
    SELECT space_id, joined_on AS day, 1 AS joined, 0 AS left_, 0 AS graduated FROM teams
    UNION ALL
    SELECT space_id, left_on, 0, 1, CASE WHEN status = 'graduated' THEN 1 ELSE 0 END
    FROM teams WHERE left_on IS NOT NULL
) AS events
JOIN spaces ON spaces.id = events.space_id
GROUP BY spaces.jurisdiction_code, events.day
"""


class Loader:
    """COPY into one transaction, counting rows per table."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection
        self.counts: dict[str, int] = {}

    async def copy(self, table: str, rows: Sequence[tuple[Any, ...]]) -> None:
        if rows:
            await self.connection.copy_records_to_table(
                table, records=rows, columns=list(COLUMNS[table])
            )
        self.counts[table] = self.counts.get(table, 0) + len(rows)

    async def copy_stream(
        self, table: str, chunks: AsyncIterator[Sequence[tuple[Any, ...]]]
    ) -> None:
        async for rows in chunks:
            await self.copy(table, rows)


def database_url(dsn: str, database: str) -> str:
    base = dsn.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    return f"{base}/{database}"


def asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _admin(*statements: str) -> None:
    connection = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


async def load(url: str, seed: int, scale: Scale, *, progress: bool = True) -> dict[str, int]:
    """Generate and COPY every table; returns the rows written per table."""
    generator = Generator(seed, scale)

    def say(message: str) -> None:
        if progress:
            print(message, flush=True)

    connection = await asyncpg.connect(asyncpg_dsn(url))
    loader = Loader(connection)
    try:
        if await connection.fetchval("SELECT count(*) FROM spaces"):
            raise SystemExit(f"{url} already holds spaces; give an empty, migrated database")
        started = time.perf_counter()
        async with connection.transaction():
            operators, versions, spaces = generator.operators_and_spaces()
            await loader.copy("operators", operators)
            await loader.copy("operator_versions", versions)
            await loader.copy("spaces", spaces)
            changes, grants, ends = generator.history()
            await loader.copy("space_status_changes", changes)
            await loader.copy("space_level_grants", grants)
            await loader.copy("space_level_ends", ends)
            await loader.copy("space_assessments", generator.assessments())
            for table, rows in generator.conditions().items():
                await loader.copy(table, rows)
            await loader.copy("staff_members", generator.staff())
            incidents, listings = generator.compliance()
            await loader.copy("compliance_incidents", incidents)
            await loader.copy("compliance_listings", listings)
            say(f"  spaces and their records: {time.perf_counter() - started:.1f} s")
            for teams, events in generator.teams():
                await loader.copy("teams", teams)
                await loader.copy("team_events", events)
                if progress and loader.counts["teams"] % 200_000 < CHUNK:
                    elapsed = time.perf_counter() - started
                    say(f"  teams: {loader.counts['teams']:,} ({elapsed:.1f} s)")
            # The statistics' rollup of the teams, as migration 0008 fills it.
            status = await connection.execute(TEAM_DAY_COUNTS)
            loader.counts["team_day_counts"] = int(status.split()[-1])
            for chunk in generator.activities():
                await loader.copy("activities", chunk)
            say(f"  activities done ({time.perf_counter() - started:.1f} s); committing")
        say(f"  committed ({time.perf_counter() - started:.1f} s); VACUUM ANALYZE")
        # What autovacuum would do soon anyway: planner statistics and the visibility map
        # (index-only scans), so the first queries measured are not planned blind.
        for table in [*COLUMNS, "team_day_counts"]:
            await connection.execute(f"VACUUM (ANALYZE) {table}")
    finally:
        await connection.close()
    return loader.counts


def prepare_database(url: str | None, *, replace: bool = True) -> str:
    """The URL to load: the given one (migrated to head), or the scratch database (re)created."""
    if url is None:
        if replace:
            asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{SCRATCH_DATABASE}" WITH (FORCE)'))
        asyncio.run(_admin(f'CREATE DATABASE "{SCRATCH_DATABASE}"'))
        url = database_url(PG_ADMIN_DSN, SCRATCH_DATABASE)
    if not url.startswith("postgresql"):
        raise SystemExit("the scale seed loads PostgreSQL only (it uses COPY)")
    migrate.upgrade("registry", url)
    return url


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("REGISTRY_SCALE_DATABASE_URL"),
        help=f"postgresql+asyncpg://... (default: recreate {SCRATCH_DATABASE}; env "
        "REGISTRY_SCALE_DATABASE_URL)",
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--spaces", type=int, default=Scale.spaces)
    parser.add_argument("--teams", type=int, default=Scale.teams)
    parser.add_argument("--activities", type=int, default=Scale.activities)
    args = parser.parse_args(argv)
    scale = Scale(spaces=args.spaces, teams=args.teams, activities=args.activities)

    started = time.perf_counter()
    url = prepare_database(args.database_url)
    migrated = time.perf_counter() - started
    target = url.rsplit("@", 1)[-1]
    print(f"seeding {target} (seed {args.seed}, history up to {REFERENCE_DATE}) ...", flush=True)
    counts = asyncio.run(load(url, args.seed, scale))
    elapsed = time.perf_counter() - started
    print(f"\nrows written ({sum(counts.values()):,} in all):")
    for table, count in counts.items():
        print(f"  {table:34} {count:>10,}")
    rate = sum(counts.values()) / max(elapsed - migrated, 1e-9)
    print(
        f"\ntime: {elapsed:.1f} s in all ({migrated:.1f} s creating and migrating the database; "
        f"{rate:,.0f} rows/s loading, VACUUM ANALYZE included)"
    )
    print(f"database: {url}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
