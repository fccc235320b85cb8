"""Add a portal by its address alone (`sites add URL`) and re-read configured ones (`sites check --live`).

`add_site` runs the probe spider (crawler/spiders/probe.py: robots.txt, the page given, candidate
sections and feeds, a few articles, all with the crawler's manners), places the portal in its
administrative unit from its address or its page title (the extractor's gazetteer), writes
`<sites dir>/<domain>.yml` and says what it chose and why. `check_live` runs the live-check spider
(crawler/spiders/livecheck.py) over configured sites and reports what drifted.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from crawler.sampling import SampleReading
from crawler.spiders.livecheck import LiveFindings
from crawler.spiders.probe import Findings
from schema.search import fold
from siteconfig import GENERIC_FAMILY, ConfigError, build_site, load_families, load_sites
from siteconfig.validate import read_yaml
from stages.crawl import crawl_settings, run_spiders

# Parts of a home page's <title> that do not name the portal.
NOT_A_NAME = frozenset({"trang chu", "home", "homepage", "tin tuc", "trang thong tin"})
PREVIEW_WORDS = 14
UNUSED_DB = Path(os.devnull)  # the probe and live-check spiders store nothing


@dataclass
class AddedSite:
    """The outcome of `sites add`.

    :param path: the config file
    :param data: what it holds
    :param findings: what the probe found
    :param unit_reason: where the administrative unit came from (or why there is none)
    :param status: "written", "unchanged" (the same config was there) or "kept" (another config
        was there and `force` was not given; nothing written)
    """

    path: Path
    data: dict[str, Any]
    findings: Findings
    unit_reason: str
    status: str


def probe(url: str, overrides: dict[str, Any] | None = None) -> Findings:
    """Look at a portal never seen: family, sections, feeds, preview articles.

    :param url: its home page (or a listing page)
    :param overrides: Scrapy settings, e.g. CRAWL_PROXY and politeness for tests
    """
    settings = crawl_settings(UNUSED_DB, Path(os.devnull), overrides)
    (crawler,) = run_spiders(settings, "probe", [{"url": url}])
    return crawler.spider.findings


def portal_unit(base_url: str, page_title: str) -> tuple[dict[str, str], str]:
    """The portal's administrative unit: named by its address (muonglat.thanhhoa.gov.vn) or by its
    page title ("Cổng thông tin điện tử huyện Tháp Mười"), through the extractor's gazetteer.

    The title's typed name settles an address that two units share (caolanh.dongthap: the city or
    the district of Cao Lãnh), and names the district of an address that names its province only.

    :param base_url: scheme and host
    :param page_title: the home page's title
    :return: the site config's `unit` (empty when none is named) and where it came from
    """
    from extract import extract_record  # loads the gazetteer: only when a portal is being added

    by_address = _province_and_district(extract_record("-", url=base_url)["locations"], "url")
    by_title = _province_and_district(extract_record(page_title or "-")["locations"], "text")
    province = by_address[0] or by_title[0]
    district, sources = by_address[1], ["the address"] if any(by_address) else []
    title_district = by_title[1]
    if title_district and (province is None or title_district["province_code"] == province["province_code"]) and (
            district is None or (district["name"] == title_district["name"] and district["code"] != title_district["code"])):
        district, province = title_district, province or by_title[0]
        sources.append("the page title")
    elif province is not None and not sources:
        sources.append("the page title")
    if province is None and district is None:
        return {}, "no administrative unit named by the address or the page title"
    unit = {"province": (district or province)["province"], "province_code": (district or province)["province_code"]}
    if district:
        unit["district"] = district["name"]
        if district["code"]:  # a unit the gazetteer knows by name only (thành phố Cửa Lò) has no code
            unit["district_code"] = district["code"]
    named = f"{district['type']} {district['name']}, {unit['province']}" if district else unit["province"]
    return unit, f"{named} ({(district or province)['code']}), named by {' and '.join(sources)}"


def _province_and_district(locations: list[dict], source: str) -> tuple[dict | None, dict | None]:
    places = [loc for loc in locations if loc.get("source") == source]
    province = next((loc for loc in places if loc["level"] == "province"), None)
    district = next((loc for loc in places if loc["level"] == "district"), None)
    if district and province and district["province_code"] != province["province_code"]:
        district = None  # two places that do not belong together: keep the province
    return province, district


def portal_name(page_title: str, domain: str) -> str:
    """The portal's name from its home page's title, without the parts that name the page
    ("Trang chủ - Cổng TTĐT huyện X" -> "Cổng TTĐT huyện X"; "Sở Lao động - Thương binh và Xã hội"
    stays whole).

    :param page_title: the `<title>` text
    :param domain: fallback
    """
    parts = re.split(r"(\s+[-|–—:]\s+)", page_title.strip())
    named = [part for part in parts[::2] if part and " ".join(re.findall(r"[a-z]+", (fold(part) or "").lower()))
             not in NOT_A_NAME]
    return " - ".join(named) if named else domain


def site_config(findings: Findings, unit: dict[str, str]) -> dict[str, Any]:
    """The site config for what the probe found.

    :param findings: the probe's findings
    :param unit: the administrative unit, or empty
    """
    base = findings.base_url
    data: dict[str, Any] = {"domain": findings.domain, "name": portal_name(findings.page_title, findings.domain)}
    detection = findings.detection
    # A family that is not clear is left out: the crawler detects it again from the listing pages.
    if detection is not None and detection.family != GENERIC_FAMILY:
        data["family"] = detection.family
    if base != f"https://{findings.domain}":
        data["base_url"] = base
    if unit:
        data["unit"] = unit
    data["sections"] = [_relative(section.url, base) for section in findings.sections]
    feeds = {kind: [_relative(url, base) for url in urls]
             for kind, urls in (("rss", findings.feeds), ("sitemaps", findings.sitemaps)) if urls}
    if feeds:
        data["feeds"] = feeds
    return data


def _relative(url: str, base: str) -> str:
    parts = urlsplit(url)
    return url.removeprefix(base) or "/" if url.startswith(base + "/") or url == base else url


def add_site(url: str, sites_dir: Path, overrides: dict[str, Any] | None = None, force: bool = False) -> AddedSite:
    """Probe a portal and write its site config.

    :param url: its home page (or a listing page)
    :param sites_dir: where site configs live
    :param overrides: Scrapy settings (CRAWL_PROXY, politeness)
    :param force: replace a different config already there
    :raises ValueError: when no news section was found (nothing is written)
    :raises ConfigError: when the config would be invalid (a bug: nothing is written)
    """
    findings = probe(url, overrides)
    if not findings.sections:
        problems = "; ".join(findings.problems) or "no page listed articles"
        raise ValueError(f"{url}: no news section found ({problems})")
    unit, unit_reason = portal_unit(findings.base_url, findings.page_title)
    data = site_config(findings, unit)
    path = Path(sites_dir) / f"{findings.domain}.yml"
    build_site(data, load_families(), path)  # the config must load as it is written
    status = "written"
    if path.exists():
        try:
            before = read_yaml(path)
        except ConfigError:
            before = None
        status = "unchanged" if before == data else ("written" if force else "kept")
    if status == "written":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_config_text(url, data, findings, unit_reason), encoding="utf-8")
    return AddedSite(path, data, findings, unit_reason, status)


def _config_text(url: str, data: dict[str, Any], findings: Findings, unit_reason: str) -> str:
    today = datetime.now(timezone.utc).date().isoformat()
    why = list(findings.detection.reasons) if findings.detection else []
    header = [f"Written by `pipeline.py sites add {url}` on {today}.", *why, f"unit: {unit_reason}"]
    header += [f"section {_relative(s.url, findings.base_url)}: {s.reason}; {len(s.articles)} articles"
               for s in findings.sections]
    comments = "".join(f"# {line}\n" for line in header)
    return comments + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def format_added(added: AddedSite) -> str:
    """What `sites add` chose and why, with the preview articles.

    :param added: the outcome
    """
    findings, data = added.findings, added.data
    detection = findings.detection
    lines = [f"{findings.domain}: {data['name']}"]
    if detection is not None:
        chosen = data.get("family") or f"none named ({GENERIC_FAMILY} rules; detected again at crawl time)"
        reasons = list(detection.reasons)
        if reasons[0].startswith(f"{detection.family}: "):  # "nukeviet: 13 points": the family is named already
            reasons[0] = reasons[0].removeprefix(f"{detection.family}: ")
        lines.append(f"  family: {chosen}: " + "; ".join(reasons))
    lines.append(f"  unit: {added.unit_reason}")
    lines.append("  sections:")
    for section in findings.sections:
        more = ", pages on" if section.next_page else ""
        lines.append(f"    {section.url}: {section.reason}; {len(section.articles)} articles{more}")
    passed = [s for s in findings.candidates if s not in findings.sections]
    for section in passed:
        lines.append(f"    (not chosen) {section.url}: {section.reason}; {len(section.articles)} articles")
    for kind, urls in (("feeds", findings.feeds), ("sitemaps", findings.sitemaps)):
        if urls:
            lines.append(f"  {kind}: {', '.join(urls)}")
    lines.append(f"  preview ({len(findings.readings)} articles read with the {data.get('family', GENERIC_FAMILY)} rules):")
    lines += [f"    {line}" for reading in findings.readings for line in preview_lines(reading)]
    lines += [f"  problem: {problem}" for problem in findings.problems]
    lines.append({"written": f"wrote {added.path}", "unchanged": f"{added.path} already says this; unchanged",
                  "kept": f"{added.path} exists and differs: kept (--force replaces it)"}[added.status])
    return "\n".join(lines)


def preview_lines(reading: SampleReading) -> list[str]:
    """One article as read: title, date, byline, captions, first words of the body.

    :param reading: one page of a sample
    """
    article = reading.article
    if article is None:
        return [f"{reading.url}: no article ({reading.problem})"]
    words = article.body.split()
    opening = " ".join(words[:PREVIEW_WORDS]) + (" …" if len(words) > PREVIEW_WORDS else "")
    return [f"{reading.url}",
            f"  title: {article.title!r}; date: {article.published or 'none'}; byline: {article.byline or 'none'}; "
            f"{len(article.captions)} captions",
            f"  body: {opening}"]


def check_live(sites_dir: Path, domains: list[str], db: Path | None,
               overrides: dict[str, Any] | None = None) -> list[LiveFindings]:
    """Re-read a sample of each configured site (all when `domains` is empty).

    :param sites_dir: site configs
    :param domains: sites to check
    :param db: database of stored articles to compare with, if it exists
    :param overrides: Scrapy settings (CRAWL_PROXY, politeness)
    :raises ValueError: when a domain is not configured
    """
    sites = load_sites(sites_dir)
    unknown = [d for d in domains if d not in sites]
    if unknown:
        raise ValueError(f"not configured in {sites_dir}: {', '.join(unknown)}")
    settings = crawl_settings(UNUSED_DB, sites_dir, overrides)
    arguments = [{"site": domain, "sites_dir": str(sites_dir), **({"db": str(db)} if db and db.exists() else {})}
                 for domain in domains or sorted(d for d, site in sites.items() if site.status == "active")]
    return [crawler.spider.findings for crawler in run_spiders(settings, "livecheck", arguments)]


def drifted(findings: LiveFindings) -> list[str]:
    """What a live check found wrong with a site (empty when its rules still fit).

    :param findings: one site's live check
    """
    wrong = [f"{url}: no article links" for url, count in findings.listings.items() if count == 0]
    if not findings.listings:
        wrong.append("no listing page could be read")
    detection = findings.detection
    if detection and findings.family and detection.family not in (findings.family, GENERIC_FAMILY):
        wrong.append(f"the listing pages look like {detection.family} now ({'; '.join(detection.reasons[1:3])})")
    if findings.drift:
        wrong.append(f"layout changed: {findings.drift.message()}")
    wrong += [f"{r.url}: no article ({r.problem})" for r in findings.readings if r.article is None]
    wrong += findings.differences
    return wrong


def format_live(results: list[LiveFindings]) -> str:
    """The report of `sites check --live`: per site, fine or what drifted, with the sample as read.

    :param results: one live check per site
    """
    lines = []
    for findings in results:
        wrong = drifted(findings)
        lines.append(f"{findings.site}: {'DRIFT' if wrong else 'ok'} ({sum(findings.listings.values())} article links "
                     f"on {len(findings.listings)} listing pages, {len(findings.readings)} articles read"
                     f"{f', {findings.stored} stored' if findings.stored else ''})")
        lines += [f"  {line}" for line in wrong]
        lines += [f"  problem: {problem}" for problem in findings.problems]
        lines += [f"  {line}" for reading in findings.readings for line in preview_lines(reading)]
    return "\n".join(lines)
