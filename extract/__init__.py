"""Extraction: Vietnamese article text in, training-activity record out.

Pure functions, no I/O; reference data and the gazetteer are loaded once and only read.
Every extracted value carries `span` [start, end) into the text it was read from and `quote`.
"""
from .record import EXTRACTOR_VERSION, extract_record

__all__ = ["EXTRACTOR_VERSION", "extract_record"]
