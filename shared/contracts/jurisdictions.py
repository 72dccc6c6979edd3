"""The eleven jurisdictions (属地) that manage maker spaces; their codes are part of the API."""

from __future__ import annotations

from enum import StrEnum


class JurisdictionCode(StrEnum):
    """Stable codes: national division codes for districts and counties, ours for the zones."""

    CHENGGUAN = "620102"  # 城关区
    QILIHE = "620103"  # 七里河区
    XIGU = "620104"  # 西固区
    ANNING = "620105"  # 安宁区
    HONGGU = "620111"  # 红古区
    YONGDENG = "620121"  # 永登县
    GAOLAN = "620122"  # 皋兰县
    YUZHONG = "620123"  # 榆中县
    LANZHOU_NEW_AREA = "LZXQ"  # 兰州新区
    LANZHOU_HIGH_TECH_ZONE = "LZGXQ"  # 兰州高新区
    LANZHOU_ECONOMIC_ZONE = "LZJJQ"  # 兰州经济区


JURISDICTION_CODES: frozenset[str] = frozenset(code.value for code in JurisdictionCode)


# 属地名称: as the bureau's documents and exports print them.
JURISDICTION_NAMES: dict[str, str] = {
    JurisdictionCode.CHENGGUAN: "城关区",
    JurisdictionCode.QILIHE: "七里河区",
    JurisdictionCode.XIGU: "西固区",
    JurisdictionCode.ANNING: "安宁区",
    JurisdictionCode.HONGGU: "红古区",
    JurisdictionCode.YONGDENG: "永登县",
    JurisdictionCode.GAOLAN: "皋兰县",
    JurisdictionCode.YUZHONG: "榆中县",
    JurisdictionCode.LANZHOU_NEW_AREA: "兰州新区",
    JurisdictionCode.LANZHOU_HIGH_TECH_ZONE: "兰州高新区",
    JurisdictionCode.LANZHOU_ECONOMIC_ZONE: "兰州经济区",
}
