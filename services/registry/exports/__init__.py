"""Exports (导出): the space list and the statistics as xlsx and CSV with Chinese headers."""
