"""What a space provides, as dated versions: premises (场地), online platform (网络平台),
facilities (配套设施), management rules (规章制度), services (孵化服务), financing (融资渠道)
and specialisation (专业化)."""
