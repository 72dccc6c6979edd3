"""Bilingual words for facts and units.

Sentences are built from a finding's structured fields, and never parsed back.
"""

from __future__ import annotations

from services.eligibility.engine.outcome import Verdict
from shared.contracts.facts import (
    BasicService,
    CoordinatedService,
    Incident,
    IncidentKind,
    Listing,
    ListKind,
    OperatorKind,
    Severity,
    StartupService,
)

# A condition's verdict in words: (中文, English)
VERDICT_WORDS: dict[Verdict, tuple[str, str]] = {
    Verdict.MET: ("符合", "met"),
    Verdict.NOT_MET: ("不符合", "not met"),
    Verdict.NEEDS_REVIEW: ("需人工审核", "needs review"),
    Verdict.MISSING_FACTS: ("缺少事实", "facts missing"),
    Verdict.NOT_APPLICABLE: ("不适用", "not applicable"),
}

# fact path -> (中文, English)
LABELS: dict[str, tuple[str, str]] = {
    "operating_since": ("众创空间实际运营起始日", "the space's start of operation"),
    "operator.registered_in_lanzhou": (
        "在兰州市范围内注册运营",
        "registered and operating in Lanzhou",
    ),
    "operator.independent_legal_person": ("具有独立法人资格", "an independent legal person"),
    "operator.established_on": ("申请主体成立日期", "the operator's founding date"),
    "operator.stable_revenue_evidence": (
        "稳定的经营收入证明",
        "evidence of stable operating revenue",
    ),
    "operator.kind": ("申报主体类型", "the applicant's kind"),
    "operator.innovative_enterprise": ("创新型企业", "an innovative enterprise"),
    "premises.service_area_m2": ("服务场地面积", "service area"),
    "premises.total_area_m2": ("场地总面积", "total area"),
    "premises.office_and_public_service_area_m2": (
        "办公与公共服务场地面积",
        "office and public service area",
    ),
    "premises.independent_workstations": ("独立工位", "independent workstations"),
    "premises.tenure": ("场地权属（自有或租赁）", "whether the premises are owned or leased"),
    "premises.lease_start": ("租赁起始日", "the lease's first day"),
    "premises.lease_end": ("租赁截止日", "the lease's last day"),
    "online_platform.operates_online_platform": ("网络基础服务平台", "an online service platform"),
    "online_platform.connects_resources": (
        "对接创新创业资源",
        "connection to entrepreneurship resources",
    ),
    "online_platform.offers_incubation_services": ("配套孵化服务", "incubation services online"),
    "facilities.power": ("供电", "power supply"),
    "facilities.water": ("供水", "water supply"),
    "facilities.fire_safety": ("消防", "fire safety"),
    "facilities.telecoms": ("通讯", "telecommunications"),
    "facilities.network": ("网络", "network"),
    "facilities.ready_to_move_in": ("即入即开条件", "ready to move in (即入即开)"),
    "facilities.free_or_low_cost_space": (
        "免费或低成本的办公和交流场地",
        "free or low-cost office and meeting space",
    ),
    "incubation.teams_in_supported_fields": (
        "符合重点支持领域的入孵企业和团队",
        "incubated enterprises and teams in supported fields",
    ),
    "staff.management_staff_qualified": (
        "具有相应专业知识、技能的管理服务人员",
        "qualified management service staff",
    ),
    "management_rules.admission_assessment": ("创业实体评估准入制度", "admission assessment rules"),
    "management_rules.financial_management": ("财务管理制度", "financial management rules"),
    "management_rules.daily_services": ("日常管理服务制度", "daily service rules"),
    "management_rules.exit_mechanism": ("退出机制", "exit rules"),
    "services.basic_services": ("基础服务", "basic services"),
    "services.startup_services": ("创业服务", "start-up services"),
    "services.coordinated_services": ("协调的科技服务", "coordinated S&T services"),
    "services.online_and_offline": ("线上线下相结合", "services both online and offline"),
    "services.training_activities_past_year": (
        "近12个月创业沙龙、大讲堂、训练营等培训活动",
        "training activities in the past 12 months",
    ),
    "financing.seed_fund": ("种子基金", "a seed fund"),
    "financing.financing_modes": (
        "投融资方式（借款、收购初创成果、天使投资）",
        "financing modes (loans, acquisition of results, angel investment)",
    ),
    "financing.invested_amount_fen": ("实质投资金额", "substantive investment"),
    "compliance.incidents": ("安全、质量、环境、科研诚信事件记录", "incident records"),
    "compliance.listings": ("经营异常名录和严重违法失信企业名单记录", "list entries"),
    "specialisation.strategic_emerging_industry_subfield": (
        "战略性新兴产业细分领域",
        "a strategic emerging industry sub-field",
    ),
    "specialisation.rd_and_industrialisation_evidence": (
        "专业化研究开发和产业化条件证明",
        "evidence of R&D and industrialisation conditions",
    ),
}

# unit -> (中文, English)
UNITS: dict[str, tuple[str, str]] = {
    "m2": ("平方米", "m²"),
    "workstations": ("个", "workstations"),
    "teams": ("个", "teams"),
    "staff": ("名", "staff"),
    "percent": ("%", "%"),
    "years": ("年", "years"),
    "months": ("个月", "months"),
    "activities": ("次", "activities"),
    "modes": ("种", "modes"),
    "fen": ("分", "fen"),
    "items": ("项", "items"),
    "calendar_years": ("个自然年", "calendar years"),
}


def label(path: str) -> tuple[str, str]:
    return LABELS.get(path, (path, path))


def unit(name: str) -> tuple[str, str]:
    return UNITS.get(name, (name, name))


def yuan(fen: int) -> str:
    """Fen as yuan for people to read: 150000000 -> '1,500,000.00'."""
    return f"{fen // 100:,}.{fen % 100:02d}"


# The Chinese names of the enumeration codes a sentence quotes: a Chinese sentence never shows
# a code (``rd_design``) where the Measures have a word (研发设计).
CODE_WORDS_ZH: dict[str, str] = {
    BasicService.SHARED_OFFICE: "开放共享式办公场地",
    BasicService.FLEXIBLE_WORKSTATIONS: "流动工位",
    BasicService.BROADBAND: "宽带网络",
    BasicService.PUBLIC_SOFTWARE: "公共软件",
    BasicService.INTERNET_RESOURCES: "互联网资源",
    StartupService.REGISTRATION: "注册",
    StartupService.MENTORING: "创业辅导",
    StartupService.FINANCING: "融资",
    CoordinatedService.RD_DESIGN: "研发设计",
    CoordinatedService.TECH_INTERMEDIARY: "科技中介",
    CoordinatedService.FINANCIAL_SERVICES: "金融服务",
    CoordinatedService.RESULTS_TRADING: "成果交易",
    CoordinatedService.INTELLECTUAL_PROPERTY: "知识产权",
    CoordinatedService.CERTIFICATION_TESTING: "认证检测",
    OperatorKind.ENTERPRISE: "企业",
    OperatorKind.PUBLIC_INSTITUTION: "事业单位",
    OperatorKind.UNIVERSITY: "高等院校",
    OperatorKind.RESEARCH_INSTITUTE: "科研院所",
    OperatorKind.OTHER: "其他",
}
# The applicant kinds of a specialised space: the operator kinds, an enterprise told apart by
# whether it is innovative.
APPLICANT_KINDS_ZH: dict[str, str] = {
    **{kind.value: CODE_WORDS_ZH[kind] for kind in OperatorKind},
    "innovative_enterprise": "创新型企业",
}

INCIDENT_WORDS: dict[IncidentKind, tuple[str, str]] = {
    IncidentKind.SAFETY: ("安全事故", "safety accident"),
    IncidentKind.QUALITY: ("质量事故", "quality accident"),
    IncidentKind.ENVIRONMENTAL: ("环境违法", "environmental violation"),
    IncidentKind.RESEARCH_MISCONDUCT: ("科研失信", "research misconduct"),
}

SEVERITY_WORDS: dict[Severity, tuple[str, str]] = {
    Severity.MAJOR: ("重大", "major"),
    Severity.SERIOUS: ("严重", "serious"),
    Severity.ORDINARY: ("一般", "ordinary"),
}

LIST_WORDS: dict[ListKind, tuple[str, str]] = {
    ListKind.ABNORMAL_OPERATION: ("经营异常名录", "the abnormal-operation list"),
    ListKind.SERIOUS_VIOLATION: ("严重违法失信企业名单", "the serious-violation list"),
}


def code_zh(code: str) -> str:
    """A quoted code's Chinese name (the code itself only for one no table names)."""
    return CODE_WORDS_ZH.get(code, code)


def incident_zh(incident: Incident) -> str:
    """``2025-06-01重大安全事故``."""
    kind, severity = INCIDENT_WORDS[incident.kind][0], SEVERITY_WORDS[incident.severity][0]
    return f"{incident.occurred_on.isoformat()}{severity}{kind}"


def listing_since_zh(listing: Listing) -> str:
    """``自2025-06-01起列入经营异常名录``."""
    return f"自{listing.listed_on.isoformat()}起列入{LIST_WORDS[listing.list][0]}"


# What an engine may reword without changing an outcome: its sentences, and its own version.
_WORDING = frozenset({"explanation_zh", "explanation_en", "summary_zh", "summary_en"})


def wording_only(differences: list[str]) -> bool:
    """Whether two documents' differences (``json_differences`` paths) are in wording only."""
    return all(
        path == "engine_version" or path.rsplit(".", 1)[-1] in _WORDING for path in differences
    )
