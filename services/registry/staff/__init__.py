"""Management service staff (管理服务人员): who runs a space, from when to when (C5)."""
