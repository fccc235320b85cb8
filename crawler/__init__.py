"""Config-driven Scrapy crawler for Vietnamese government portals (see crawler/spiders/portal.py).

One crawl process stores through `store/`; several processes, on one machine or many, share a
frontier in Redis instead (`frontier.py`, the `redis_*.py` modules: `crawl --frontier URL`).
"""
from crawler.warc import read_warc_record

__all__ = ["read_warc_record"]
