"""Scrapy settings of the crawler. Polite defaults for government portals; tests and the
benchmark override them with `-s NAME=value`."""
from datetime import datetime, timezone
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent

BOT_NAME = "vn_training_crawler"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Identify ourselves and give portals a way to reach the operator.
CRAWL_CONTACT_URL = "https://github.com/vn-training-pipeline/vn-training-pipeline#crawler"
CRAWL_USER_AGENT = "vn-training-crawler/0.1 (research; +{contact})"
ROBOTSTXT_USER_AGENT = "vn-training-crawler"

# Politeness: robots.txt, 1–2 requests per domain at a time, about 2 s apart (Scrapy's ±50 %
# jitter), AutoThrottle; a robots.txt Crawl-delay is a floor for its host (up to CRAWL_DELAY_MAX s).
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
# Outputs of one callback handled at a time: ours yield one article or a listing's links, and
# Scrapy starts this many tasks for every callback, so its default of 100 costs more than it gives.
CONCURRENT_ITEMS = 16
# Scrapy re-parses the spider's source (ast) for every callback of every crawler to warn about a
# `return value` in a generator: seconds of a crawl's start for a warning meant for development.
WARN_ON_GENERATOR_RETURN_VALUE = False
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 2.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
CRAWL_DELAY_MAX = 60.0
COOKIES_ENABLED = False
# No listening ports: the crawler is a client only.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# Robustness: retries with exponential backoff, a time-out, a size cap, bounded redirects.
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 408, 429, 522, 524]
RETRY_BACKOFF_BASE = 2.0
RETRY_BACKOFF_MAX = 60.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
# Redirects are followed only on the portal's own host (never to a private or metadata address).
# A page that still fails after its retries is logged (and counted) by the spider as a warning.
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.CautiousRobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": None,
    "crawler.middlewares.IdentifyingUserAgentMiddleware": 500,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    "crawler.middlewares.SizeCapMessageMiddleware": 560,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.SameSiteMetaRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.middlewares.SameSiteRedirectMiddleware": 600,
    "crawler.middlewares.LoopbackProxyMiddleware": 740,
}
ITEM_PIPELINES = {
    "crawler.pipelines.WarcArchivePipeline": 100,
    "crawler.pipelines.StorePipeline": 200,
}
EXTENSIONS = {
    "scrapy.extensions.throttle.AutoThrottle": None,
    "crawler.extensions.PoliteAutoThrottle": 0,
    "crawler.extensions.CrawlDelay": 10,
    "crawler.extensions.CrawlProgress": 500,
}

# Where things are.
SITES_DIR = str(_ROOT / "data" / "sites")
FAMILIES_DIR = str(_ROOT / "data" / "families")
CRAWL_DB = str(_ROOT / "data" / "training.db")
WARC_DIR = str(_ROOT / "data" / "archive")
CRAWL_RUN_ID = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")

# Incremental crawling: listing pages without a new article tolerated before a section stops;
# re-fetch stored articles older than this many days (None: never).
CRAWL_STALE_PAGES = 0
CRAWL_RECHECK_DAYS = None
# Links that gave no article are remembered (store/urls.py) and tried again after a backoff that
# doubles with each attempt: a dead link (404/410) after a week first, a skip (not HTML, robots.txt,
# size) or a failure the next night; never more than CRAWL_RETRY_MAX_HOURS apart.
CRAWL_DEAD_RECHECK_HOURS = 7 * 24
CRAWL_RETRY_HOURS = 20
CRAWL_RETRY_MAX_HOURS = 90 * 24
# New or changed articles held back until this many show no layout drift (crawler/drift.py).
CRAWL_DRIFT_SAMPLE = 3
# Run the extractor on each article before storing it, in this many worker processes (None: one
# per core but one; 0: a thread of the crawl process), off Scrapy's event loop.
CRAWL_EXTRACT = True
CRAWL_EXTRACT_PROCESSES = None
# Disk space set aside next to the database while crawling, freed when the disk fills up so that
# the run's own record (crawl_runs, the error that stopped it) can still be written.
CRAWL_DISK_RESERVE = 1024 * 1024
# Loopback server acting as a proxy for the sample portal's virtual hosts (tests, demo).
CRAWL_PROXY = None

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
