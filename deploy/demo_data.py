"""``make demo``: a small, realistic registry to try the services with: the maker spaces the source
article names, in plausible jurisdictions, each with an operator, its conditions, a recognition,
levels, an assessment, teams, staff and activities; and a few made-up spaces whose applications
for recognition (认定申报) stand at different steps of the procedure, so the procedure can be
followed in Swagger UI (the last one recognised through it, with its plaque).

Run from the repository root as ``python -m deploy.demo_data`` (it migrates the registry's
database first: ``REGISTRY_DATABASE_URL``, else the SQLite file ``make run`` uses). Everything
goes through the registry's own API, in process, as the bureau (``city_admin``; the
applications' steps as the district officer, the expert or the bureau whose step it is), so
every rule and the audit log apply; submissions are judged by the eligibility service, run in
process on its own database (``ELIGIBILITY_DATABASE_URL``, else the file ``make run`` uses). It
is DEMO DATA: the names are the article's, but every figure, date, code and document number is
made up; each space and operator name ends in "（演示）" and every record that has remarks says so.
Running it again adds nothing: a space already registered (the API answers 409 with its id) is
left as it is.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from services.eligibility.app import create_app as create_eligibility_app
from services.eligibility.config import EligibilitySettings
from services.registry.app import create_app
from services.registry.clients.eligibility import EligibilityClient
from services.registry.config import RegistrySettings
from shared import migrate
from shared.auth import Role
from shared.auth.tokens import issue_token
from shared.timezone import today_in_china

DEMO_SUFFIX = "（演示）"
DEMO_REMARKS = "演示数据 · demo data, figures made up"
SUBJECT = "demo-data"
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@dataclass(frozen=True)
class DemoSpace:
    name: str
    jurisdiction: str
    form: str
    profile: str
    opened_on: date
    operator: str
    operator_kind: str
    recognised_on: date
    provincial_on: date | None = None
    national_filing_on: date | None = None
    grade_2018: str = "良好"


# The spaces the article names (profiles as it groups them); jurisdictions and dates are ours.
SPACES = (
    DemoSpace("西部创客众创空间", "620102", "comprehensive", "comprehensive_services",
              date(2015, 9, 1), "兰州西部创客科技有限公司", "enterprise", date(2017, 3, 20),
              date(2017, 11, 10), date(2018, 9, 28), "优秀"),
    DemoSpace("创意产业众创空间", "620102", "comprehensive", "culture", date(2016, 3, 15),
              "兰州创意产业园管理有限公司", "enterprise", date(2017, 3, 20), date(2018, 5, 8),
              None, "优秀"),
    DemoSpace("西软众创空间", "620105", "comprehensive", "comprehensive_services",
              date(2015, 6, 1), "甘肃西软科技服务有限公司", "enterprise", date(2017, 3, 20),
              date(2017, 11, 10), date(2018, 9, 28), "优秀"),
    DemoSpace("丝路品味·众创空间", "620103", "comprehensive", "internet_plus",
              date(2016, 5, 1), "兰州丝路品味电子商务有限公司", "enterprise", date(2017, 9, 5),
              date(2018, 5, 8), None, "优秀"),
    DemoSpace("海逸众创空间", "LZGXQ", "comprehensive", "tech_startup", date(2015, 11, 1),
              "兰州海逸科技孵化器有限公司", "enterprise", date(2017, 3, 20), date(2017, 11, 10),
              date(2019, 10, 15), "优秀"),
    DemoSpace("图博未来众创空间", "620102", "virtual", "internet_plus", date(2016, 8, 1),
              "甘肃图博未来网络科技有限公司", "enterprise", date(2018, 4, 16)),
    DemoSpace("兰州鑫源众创空间", "620122", "comprehensive", "modern_agriculture",
              date(2016, 4, 1), "兰州鑫源现代农业发展有限公司", "enterprise", date(2017, 9, 5),
              date(2019, 6, 3)),
    DemoSpace("榆兴众创空间", "620123", "comprehensive", "modern_agriculture",
              date(2016, 10, 1), "榆中榆兴农业科技有限公司", "enterprise", date(2018, 4, 16),
              grade_2018="合格"),
    DemoSpace("兰州科技大市场众创空间", "LZGXQ", "specialised", "tech_startup",
              date(2016, 1, 10), "兰州科技大市场管理中心", "public_institution",
              date(2017, 3, 20), date(2018, 5, 8), date(2019, 10, 15)),
    DemoSpace("丝绸之路电子商务产业孵化园", "LZXQ", "comprehensive", "e_commerce",
              date(2016, 6, 18), "兰州新区丝路电子商务产业发展有限公司", "enterprise",
              date(2017, 9, 5), date(2018, 5, 8)),
    DemoSpace("甘肃电商谷产业园", "LZJJQ", "comprehensive", "e_commerce", date(2016, 9, 1),
              "甘肃电商谷运营管理有限公司", "enterprise", date(2018, 4, 16)),
    DemoSpace("兰州文化旅游创意产业园", "620103", "comprehensive", "culture",
              date(2017, 1, 5), "兰州文旅创意产业园有限公司", "enterprise", date(2018, 4, 16),
              grade_2018="合格"),
)  # fmt: skip

TEAM_FIELDS = ("high_tech", "modern_service")
TEAM_WORDS = ("智能硬件", "农产品电商", "文创设计", "软件开发", "新材料", "数据服务", "中医药")
STAFF = (
    ("王敏", "主任", "中级经济师；孵化器从业人员培训合格"),
    ("李强", "运营经理", "创业导师证书"),
    ("张静", "创业导师", "技术经纪人"),
    ("刘洋", "财务主管", "会计师"),
)
ACTIVITIES = (
    ("training", "创业政策与财税实务培训", 46),
    ("salon", "创业沙龙：融资对接", 32),
    ("lecture", "创新创业大讲堂", 120),
    ("camp", "第三期创业训练营", 28),
    ("roadshow", "项目路演", 85),
    ("mentoring", "一对一创业辅导", 6),
)


def demo_uscc(index: int, jurisdiction: str) -> str:
    """A made-up code with a correct check character (organisation part DEMX...)."""
    region = jurisdiction if jurisdiction.isdigit() else "620100"
    body = f"91{region}DEMX{index:05d}"
    total = sum(_ALPHABET.index(c) * w for c, w in zip(body, _WEIGHTS, strict=True))
    return body + _ALPHABET[(31 - total % 31) % 31]


@dataclass
class DemoReport:
    created: list[str]
    existing: list[str]


class DemoError(RuntimeError):
    pass


async def _call(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    response = await client.request(method, path, json=body, headers=headers)
    if response.status_code >= 400 and response.status_code != 409:
        raise DemoError(f"{method} {path} answered {response.status_code}: {response.text}")
    return response


async def _operator(client: httpx.AsyncClient, index: int, space: DemoSpace) -> str:
    response = await _call(
        client,
        "POST",
        "/v1/operators",
        {
            "uscc": demo_uscc(index, space.jurisdiction),
            "name": space.operator + DEMO_SUFFIX,
            "kind": space.operator_kind,
            "founded_on": (space.opened_on - timedelta(days=400)).isoformat(),
            "registered_address": f"甘肃省兰州市（演示地址）{index + 1}号",
            "registered_in_lanzhou": True,
            "jurisdiction_code": space.jurisdiction,
            "independent_legal_person": True,
            "innovative_enterprise": space.form == "specialised" or None,
            "stable_revenue_evidence": True,
        },
    )
    payload = response.json()
    return str(payload["existing_id"] if response.status_code == 409 else payload["id"])


def _conditions(space: DemoSpace, index: int) -> dict[str, dict[str, Any]]:
    opened = space.opened_on.isoformat()
    common = {"effective_on": opened, "remarks": DEMO_REMARKS}
    total = 1200 + 150 * index
    lease_start = space.opened_on - timedelta(days=30)
    conditions: dict[str, dict[str, Any]] = {
        "premises": {
            **common,
            "total_area_m2": str(total if space.form != "virtual" else 180),
            "service_area_m2": str((total * 7 // 10) if space.form != "virtual" else 120),
            "office_and_public_service_area_m2": str(
                (total * 85 // 100) if space.form != "virtual" else 150
            ),
            "independent_workstations": 30 + 5 * index if space.form != "virtual" else 8,
            "tenure": "leased",
            "lease_start": lease_start.isoformat(),
            "lease_end": date(lease_start.year + 10, lease_start.month, 1).isoformat(),
        },
        "facilities": {
            **common,
            **dict.fromkeys(
                (
                    "power",
                    "water",
                    "fire_safety",
                    "telecoms",
                    "network",
                    "ready_to_move_in",
                    "free_or_low_cost_space",
                ),
                True,
            ),
        },
        "management-rules": {
            **common,
            **dict.fromkeys(
                (
                    "admission_assessment",
                    "financial_management",
                    "daily_services",
                    "exit_mechanism",
                ),
                True,
            ),
        },
        "services": {
            **common,
            "basic_services": [
                "shared_office",
                "flexible_workstations",
                "broadband",
                "public_software",
                "internet_resources",
            ],
            "startup_services": ["registration", "mentoring", "financing"],
            "coordinated_services": [
                "tech_intermediary",
                "financial_services",
                "intellectual_property",
            ],
            "online_and_offline": True,
        },
        "financing": {
            **common,
            "seed_fund": True,
            "financing_modes": ["angel_investment", "loans"],
            "invested_amount_fen": (200 + 50 * index) * 10_000_00,
        },
    }
    if space.form == "virtual" or space.profile == "internet_plus":
        conditions["online-platform"] = {
            **common,
            "operates_online_platform": True,
            "platform_url": f"https://demo-{index + 1}.example.cn",
            "connects_resources": True,
            "offers_incubation_services": True,
        }
    if space.form == "specialised":
        conditions["specialisation"] = {
            **common,
            "strategic_emerging_industry_subfield": "新一代信息技术-技术转移服务",
            "rd_and_industrialisation_evidence": True,
        }
    return conditions


async def _records(
    client: httpx.AsyncClient, space_id: str, index: int, space: DemoSpace, recognise: bool = True
) -> None:
    base = f"/v1/spaces/{space_id}"
    for segment, body in _conditions(space, index).items():
        await _call(client, "PUT", f"{base}/{segment}", body)
    if recognise:
        await _recognition_and_levels(client, base, index, space)
    await _people_and_activities(client, base, index, space)


async def _recognition_and_levels(
    client: httpx.AsyncClient, base: str, index: int, space: DemoSpace
) -> None:
    recognised = space.recognised_on
    await _call(
        client,
        "POST",
        f"{base}/recognition",
        {
            "effective_on": recognised.isoformat(),
            "document_no": f"兰科发〔{recognised.year}〕{10 + index}号（演示）",
            "remarks": DEMO_REMARKS,
        },
    )
    for level, on, document in (
        ("provincial", space.provincial_on, "甘科高〔{year}〕{n}号（演示）"),
        ("national_filing", space.national_filing_on, "国科火字〔{year}〕{n}号（演示）"),
    ):
        if on is not None:
            await _call(
                client,
                "POST",
                f"{base}/levels",
                {
                    "level": level,
                    "document_no": document.format(year=on.year, n=100 + index),
                    "effective_on": on.isoformat(),
                },
            )
    if recognised.year <= 2018:
        await _call(
            client,
            "POST",
            f"{base}/assessments",
            {
                "year": 2018,
                "grade": space.grade_2018,
                "document_no": f"兰科发〔2019〕{5 + index}号（演示）",
                "assessed_on": "2019-03-15",
            },
        )


async def _people_and_activities(
    client: httpx.AsyncClient, base: str, index: int, space: DemoSpace
) -> None:
    for n in range(12):
        joined = space.opened_on + timedelta(days=90 + 170 * n)
        word = TEAM_WORDS[(index + n) % len(TEAM_WORDS)]
        response = await _call(
            client,
            "POST",
            f"{base}/teams",
            {
                "name": f"{word}创业团队{index + 1:02d}{n + 1:02d}{DEMO_SUFFIX}",
                "field": TEAM_FIELDS[n % 2],
                "joined_on": joined.isoformat(),
            },
        )
        team = response.json()["id"]
        if n < 2:  # the first two graduated and registered an enterprise
            await _call(
                client,
                "POST",
                f"{base}/teams/{team}/graduation",
                {
                    "graduated_on": (joined + timedelta(days=730)).isoformat(),
                    "registered_enterprise_name": f"兰州{word}科技有限公司{DEMO_SUFFIX}",
                },
            )
        elif n == 2:
            await _call(
                client,
                "POST",
                f"{base}/teams/{team}/exit",
                {"exited_on": (joined + timedelta(days=400)).isoformat()},
            )
    for name, role, qualifications in STAFF:
        await _call(
            client,
            "POST",
            f"{base}/staff",
            {
                "name": name,
                "role": role,
                "qualifications": qualifications,
                "started_on": (space.opened_on - timedelta(days=30)).isoformat(),
            },
        )
    for n, (kind, title, attendance) in enumerate(ACTIVITIES):
        held = date(2025, 3, 10) + timedelta(days=41 * n + index)
        await _call(
            client,
            "POST",
            f"{base}/activities",
            {"kind": kind, "title": title, "held_on": held.isoformat(), "attendance": attendance},
        )


# Made-up spaces (not the article's) that apply under the procedure, and the step each
# application is taken to: draft, submitted (初审 pending), under_review (an expert assigned),
# in_publicity (its period over, waiting to be closed) and recognised (with its plaque).
APPLICANTS = (
    DemoSpace("黄河之滨创客空间", "620102", "comprehensive", "tech_startup", date(2019, 3, 1),
              "兰州黄河之滨科技有限公司", "enterprise", date(2026, 11, 20)),
    DemoSpace("安宁高校创业工场", "620105", "comprehensive", "tech_startup", date(2019, 9, 1),
              "兰州安宁创业工场管理有限公司", "enterprise", date(2026, 11, 20)),
    DemoSpace("七里河乡村振兴众创空间", "620103", "comprehensive", "modern_agriculture",
              date(2019, 5, 10), "兰州七里河农创发展有限公司", "enterprise", date(2026, 11, 20)),
    DemoSpace("新区数字经济众创空间", "LZXQ", "comprehensive", "internet_plus",
              date(2019, 8, 1), "兰州新区数字经济孵化有限公司", "enterprise", date(2026, 11, 20)),
    DemoSpace("西固新材料众创空间", "620104", "comprehensive", "tech_startup",
              date(2019, 4, 1), "兰州西固新材料孵化器有限公司", "enterprise", date(2026, 11, 20)),
)  # fmt: skip
APPLICANT_STEPS = ("draft", "submitted", "under_review", "in_publicity", "recognised")
DEMO_EXPERT = "demo-expert"
UNITS = ("science_and_technology", "development_and_reform", "human_resources",
         "industry_and_information")  # fmt: skip


def _as(
    app: FastAPI, role: Role, jurisdiction: str | None = None, subject: str | None = None
) -> dict[str, str]:
    subject = subject or "-".join(filter(None, [SUBJECT, role.value, jurisdiction]))
    token = issue_token(app.state.settings, role=role, subject=subject, jurisdiction=jurisdiction)
    return {"Authorization": f"Bearer {token}"}


async def _apply(
    client: httpx.AsyncClient, app: FastAPI, space_id: str, index: int, space: DemoSpace
) -> None:
    """File the space's application and take it to its demo step, dated in 2026 as if the
    procedure had run through the autumn."""
    target = APPLICANT_STEPS[index]
    district = _as(app, Role.DISTRICT_OFFICER, space.jurisdiction)
    expert = _as(app, Role.EXPERT, subject=DEMO_EXPERT)
    created = await _call(client, "POST", "/v1/applications", {"space_id": space_id}, district)
    base = f"/v1/applications/{created.json()['id']}"

    async def step(action: str, body: dict[str, Any], headers: dict[str, str] | None) -> None:
        await _call(client, "POST", f"{base}/{action}", body, headers)

    if target == "draft":
        return
    await step("submit", {"application_date": "2026-09-01", "opinion": DEMO_REMARKS}, district)
    if target == "submitted":
        return
    await step("recommend", {"opinion": "材料齐全，推荐认定（演示）", "effective_on": "2026-09-08"},
               district)  # fmt: skip
    await step("accept", {"opinion": "予以受理（演示）", "effective_on": "2026-09-10"}, None)
    await step(
        "experts",
        {"experts": [DEMO_EXPERT], "document_no": f"兰科函〔2026〕{20 + index}号（演示）",
         "effective_on": "2026-09-15"},
        None,
    )  # fmt: skip
    if target == "under_review":
        return
    reviewed = (await client.get(base)).json()
    await step(
        "expert-reviews",
        {
            "inspected_on": "2026-10-10",
            "findings": "场地、设施、团队与申报材料一致（演示）",
            "opinion": "建议认定（演示）",
            "judgements": [
                {"criterion": c, "judgement": "met", "reason": "现场核实（演示）"}
                for c in reviewed["needs_review"]
            ],
        },
        expert,
    )
    await step(
        "joint-opinion",
        {"units": [{"unit": u, "view": "同意（演示）"} for u in UNITS],
         "opinion": "联合评审通过（演示）", "effective_on": "2026-10-15"},
        None,
    )  # fmt: skip
    await step(
        "decision",
        {"outcome": "approved", "meeting_date": "2026-10-20",
         "minutes_no": f"局务会纪要〔2026〕{15 + index}号（演示）", "opinion": "同意认定（演示）"},
        None,
    )  # fmt: skip
    notice = await _call(
        client,
        "POST",
        "/v1/publicity-notices",
        {"notice_no": f"兰科公示〔2026〕{index}号（演示）", "starts_on": "2026-11-02",
         "application_ids": [created.json()["id"]]},
    )  # fmt: skip
    if target == "in_publicity":
        return
    await _call(client, "POST", f"/v1/publicity-notices/{notice.json()['id']}/close", {})
    await _call(
        client,
        "POST",
        "/v1/recognitions",
        {"application_ids": [created.json()["id"]],
         "document_no": f"兰科发〔2026〕{60 + index}号（演示）",
         "announced_on": today_in_china().isoformat(),
         "reason": "经初审、复审、局务会审定并公示无异议（演示）"},
    )  # fmt: skip


async def load_demo(client: httpx.AsyncClient, app: FastAPI | None = None) -> DemoReport:
    """Register every demo space not yet registered, with its records (as the bureau), and,
    given the registry ``app`` (whose tokens the steps need), the applicants' applications."""
    report = DemoReport(created=[], existing=[])
    for index, space in enumerate(SPACES):
        operator_id = await _operator(client, index, space)
        name = space.name + DEMO_SUFFIX
        response = await _call(
            client,
            "POST",
            "/v1/spaces",
            {
                "name": name,
                "jurisdiction_code": space.jurisdiction,
                "form": space.form,
                "profile": space.profile,
                "opened_on": space.opened_on.isoformat(),
                "operator_id": operator_id,
            },
        )
        if response.status_code == 409:
            report.existing.append(name)
            continue
        await _records(client, response.json()["id"], index, space)
        report.created.append(name)
    if app is None:
        return report
    for index, space in enumerate(APPLICANTS):
        operator_id = await _operator(client, len(SPACES) + index, space)
        name = space.name + DEMO_SUFFIX
        response = await _call(
            client,
            "POST",
            "/v1/spaces",
            {
                "name": name,
                "jurisdiction_code": space.jurisdiction,
                "form": space.form,
                "profile": space.profile,
                "opened_on": space.opened_on.isoformat(),
                "operator_id": operator_id,
            },
        )
        if response.status_code == 409:
            report.existing.append(name)
            continue
        space_id = response.json()["id"]
        await _records(client, space_id, len(SPACES) + index, space, recognise=False)
        await _apply(client, app, space_id, index, space)
        report.created.append(name)
    return report


def wire_eligibility(registry_app: FastAPI, eligibility_app: FastAPI) -> EligibilityClient:
    """Point the registry's eligibility client at ``eligibility_app`` in process."""
    token = issue_token(
        eligibility_app.state.settings, role=Role.SERVICE, subject="service:registry"
    )
    client = EligibilityClient(
        "eligibility",
        "http://eligibility",
        lambda: token,
        transport=httpx.ASGITransport(app=eligibility_app),
    )
    registry_app.state.eligibility_client = client
    return client


def bureau_client(app: FastAPI) -> httpx.AsyncClient:
    token = issue_token(app.state.settings, role=Role.CITY_ADMIN, subject=SUBJECT)
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://registry",
        headers={"Authorization": f"Bearer {token}"},
    )


async def _main(settings: RegistrySettings, eligibility: EligibilitySettings) -> DemoReport:
    # No event subscribers here: the events wait in the outbox for the running registry.
    app = create_app(settings.model_copy(update={"event_subscribers": {}}))
    judge = create_eligibility_app(eligibility)
    async with (
        app.router.lifespan_context(app),
        judge.router.lifespan_context(judge),
        bureau_client(app) as client,
    ):
        await app.state.eligibility_client.aclose()
        wired = wire_eligibility(app, judge)
        try:
            return await load_demo(client, app)
        finally:
            await wired.aclose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Load the registry's demo data (make demo).")
    parser.add_argument(
        "--verbose", action="store_true", help="log every request (make demo VERBOSE=1)"
    )
    args = parser.parse_args(argv)
    settings = RegistrySettings()
    eligibility = EligibilitySettings()
    if not args.verbose:
        # About 850 request lines would bury the summary: warnings and errors only.
        settings = settings.model_copy(update={"log_level": "WARNING"})
        eligibility = eligibility.model_copy(update={"log_level": "WARNING"})
    migrate.upgrade("registry", settings.database_url)
    migrate.upgrade("eligibility", eligibility.database_url)
    report = asyncio.run(_main(settings, eligibility))
    where = settings.database_url.rsplit("@", 1)[-1]
    print(f"demo data ({DEMO_REMARKS}) in {where}:")
    print(f"  registered now: {len(report.created)}  " + "、".join(report.created))
    print(f"  already there:  {len(report.existing)}  " + "、".join(report.existing))
    return 0


if __name__ == "__main__":
    sys.exit(main())
