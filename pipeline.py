"""pipeline.py: the one command line for every stage of the training-activity pipeline.

Each command opens its inputs, calls one function of a stage module and turns errors into a
clear message and exit code.
"""
from __future__ import annotations

import logging
import sqlite3
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import click

ROOT = Path(__file__).resolve().parent
# Exit codes of extract, ingest and reextract (click's own 2 means bad options: nothing was done).
EXIT_SOME_FAILED = 1  # some entries failed (each named in the output or `errors`); the others were written
EXIT_CRASHED = 3  # the run itself failed: unreadable input, full disk, a bug; the message says which

jobs_option = click.option("--jobs", default=1, show_default=True, type=click.IntRange(min=0),
                           help="Worker processes (0: one per CPU core) that extract and, for ingest and "
                                "reextract, make the database rows; the result is the same. With a records file "
                                "nothing is extracted, and 0 leaves the writer a core, on which it makes rows too.")


@contextmanager
def crash_reported(writing: str | Path) -> Iterator[None]:
    """Turn a failure of the whole run into one clear line on stderr and exit code 3.

    :param writing: the file the run writes (database or output), named when the disk is full
    """
    from stages.extract_jsonl import OutputUnwritable
    from stages.jsonl_input import InputUnreadable
    from store import describe_storage_error

    try:
        yield
    except (InputUnreadable, OutputUnwritable) as error:
        message = str(error)
    except (sqlite3.Error, OSError) as error:
        message = describe_storage_error(error, writing)
        if message is None:
            logging.getLogger("pipeline").exception("the run crashed")
            message = f"the run crashed: {type(error).__name__}: {error}"
    except ValueError as error:  # the programme catalogue or another reference file is invalid
        message = str(error)
    except Exception as error:  # a bug: the traceback helps whoever fixes it
        logging.getLogger("pipeline").exception("the run crashed")
        message = f"the run crashed: {type(error).__name__}: {error}"
    else:
        return
    click.echo(f"Error: {message}", err=True)
    sys.exit(EXIT_CRASHED)


def require_database(path: str | Path) -> None:
    """Stop with a message that says how to get a database when there is none at `path`."""
    if not Path(path).exists():
        raise click.ClickException(
            f"no database at {path}: `vntrain nightly`, `vntrain crawl` or `vntrain ingest FILE` make one; "
            "after `make demo` add --db data/demo.db")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages.")
def cli(verbose: bool) -> None:
    """Vietnamese government news -> database of training activities."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)


@cli.command()
@click.option("--input", "input_path", required=True, type=click.Path(exists=True, allow_dash=True),
              help="JSON lines: {id, url?, text or html, published?}; '-' for stdin; or a folder of *.json.")
@click.option("--output", "output_path", default="-", type=click.Path(dir_okay=False, allow_dash=True),
              help="JSON lines, one record per input line, in order (default stdout).")
@jobs_option
def extract(input_path: str, output_path: str, jobs: int) -> None:
    """Extract training-activity records from articles.

    Exit codes: 0 every line extracted, 1 some lines failed (their records carry `error`, naming
    file and line), 3 the run crashed (unreadable input, full disk).
    """
    from stages.extract_jsonl import extract_jsonl

    with crash_reported(output_path):
        stats = extract_jsonl(input_path, output_path, jobs=jobs)
    click.echo(f"{stats.total} records, {stats.failed} failed", err=True)
    sys.exit(EXIT_SOME_FAILED if stats.failed else 0)


@cli.command()
@click.argument("gold_dir", type=click.Path(exists=True, file_okay=False))
@click.option("-q", "--quiet", is_flag=True, help="Only the summary, not the per-article differences.")
def evaluate(gold_dir: str, quiet: bool) -> None:
    """Score the extractor on a directory of gold articles (same definitions as eval/score.py)."""
    from stages.evaluate import evaluate_dir, format_report

    report = evaluate_dir(Path(gold_dir))
    click.echo(format_report(report, verbose=not quiet))


# Stage commands that live in their own modules register here.

config_option = click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
                             help="TOML settings (default $VNTRAIN_CONFIG, else config/pipeline.toml if present).")


frontier_option = click.option("--frontier", metavar="redis://HOST:PORT/N",
                               help="Shared Redis frontier (default with --workers: a private local Redis).")


@cli.command()
@config_option
@click.option("--workers", type=click.IntRange(min=1), help="Crawler processes on a shared Redis frontier, "
              "with one writer (default: from settings, 1 = a single crawl process).")
@frontier_option
def nightly(config_path: str | None, workers: int | None, frontier: str | None) -> None:
    """Crawl every active site under a lock and report site health (scheduled runs).

    Exit codes: 0 all sites fine, 2 some site failing, 3 the run itself failed, 4 another run
    holds the lock. Settings: see "Nightly operation" in README.md.
    """
    import dataclasses

    from stages.nightly import EXIT_LOCKED, EXIT_RUN_FAILED, LockHeld, run_nightly
    from stages.settings import SettingsError, load_settings

    try:
        settings = load_settings(Path(config_path) if config_path else None)
        given = {key: value for key, value in (("workers", workers), ("frontier", frontier)) if value is not None}
        result = run_nightly(dataclasses.replace(settings, **given))
    except SettingsError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_RUN_FAILED)
    except LockHeld as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_LOCKED)
    click.echo(result.report)
    click.echo(f"log: {result.log_path}", err=True)
    sys.exit(result.exit_code)


@cli.command()
@config_option
@click.option("--db", "db_path", type=click.Path(dir_okay=False), help="SQLite database (default: from settings).")
@click.option("--runs", default=10, show_default=True, help="How many recent runs to list.")
def status(config_path: str | None, db_path: str | None, runs: int) -> None:
    """Show the last crawl runs and each site's health (failing streak, last good date)."""
    from stages.settings import SettingsError, load_settings
    from stages.status import format_status
    from store import open_database

    try:
        path = Path(db_path) if db_path else load_settings(Path(config_path) if config_path else None).db
    except SettingsError as error:
        raise click.ClickException(str(error)) from error
    require_database(path)
    click.echo(format_status(open_database(path), limit=runs))


@cli.command()
@click.option("--site", "sites", multiple=True, help="Domain to crawl (repeatable); default: every configured site.")
@click.option("--db", "db_path", default=str(ROOT / "data" / "training.db"), show_default=True,
              type=click.Path(dir_okay=False), help="SQLite database to store into.")
@click.option("--sites-dir", default=str(ROOT / "data" / "sites"), show_default=True,
              type=click.Path(exists=True, file_okay=False), help="Directory of site configs.")
@click.option("--recheck-days", type=float, help="Re-fetch stored articles older than N days (conditional GET).")
@click.option("--proxy", help="Loopback server serving the sites (sample portal, tests): CRAWL_PROXY.")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Scrapy setting override.")
@click.option("--frontier", metavar="redis://HOST:PORT/N",
              help="Crawl as one worker of this shared Redis frontier: articles go to its writer "
                   "(`store --frontier`), not to --db.")
def crawl(sites: tuple[str, ...], db_path: str, sites_dir: str, recheck_days: float | None,
          proxy: str | None, overrides: tuple[str, ...], frontier: str | None) -> None:
    """Crawl configured portals into the database (exit 1 if any request or page failed)."""
    from stages.crawl import run_crawl

    settings = _scrapy_overrides(overrides, proxy)
    if not frontier:  # a database that cannot be created or migrated stops the run before any request
        from store import open_database

        with crash_reported(db_path):
            open_database(db_path).close()
    try:
        results = run_crawl(list(sites), Path(db_path), Path(sites_dir), recheck_days, settings, frontier)
    except ValueError as exc:  # unknown site, invalid config: nothing was crawled
        raise click.ClickException(str(exc)) from exc
    for result in results:
        click.echo(result.line())
    sys.exit(1 if any(r.failed for r in results) else 0)


@cli.group()
def sites() -> None:
    """Portal configurations (data/sites/, data/families/)."""


@sites.command("list")
@click.option("--sites-dir", default=str(ROOT / "data" / "sites"), show_default=True,
              type=click.Path(exists=True, file_okay=False), help="Directory of site configs.")
def sites_list(sites_dir: str) -> None:
    """List configured portals: domain, family, unit code, name."""
    from siteconfig import ConfigError, load_sites

    try:
        sites_found = load_sites(Path(sites_dir))
    except ConfigError as exc:
        raise click.ClickException(f"{exc} (run `pipeline.py sites check` for every problem)") from exc
    for site in sites_found.values():
        click.echo(f"{site.domain:40} {site.family or '(detect)':11} {site.unit_code or '-':4} {site.name}")


@sites.command("check")
@click.option("--sites-dir", default=str(ROOT / "data" / "sites"), show_default=True,
              type=click.Path(exists=True, file_okay=False), help="Directory of site configs.")
@click.option("--live", is_flag=True, help="Also fetch a sample of each site and report layout drift.")
@click.option("--site", "domains", multiple=True, help="With --live: only this site (repeatable).")
@click.option("--db", "db_path", default=str(ROOT / "data" / "training.db"), show_default=True,
              type=click.Path(dir_okay=False), help="With --live: stored articles to compare with (if it exists).")
@click.option("--proxy", help="Loopback server serving the sites (sample portal, tests): CRAWL_PROXY.")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Scrapy setting override.")
def sites_check(sites_dir: str, live: bool, domains: tuple[str, ...], db_path: str, proxy: str | None,
                overrides: tuple[str, ...]) -> None:
    """Validate every site and family config (lists every problem; exit 1 if there is any).

    With --live, re-read a sample of each active site (first listing pages, a few articles) and
    report drift: no article links, another family's fingerprints, one title for all, no dates,
    empty or identical bodies, stored articles that now read otherwise (exit 1 if any).
    """
    from siteconfig import check_sites

    problems = check_sites(Path(sites_dir))
    for problem in problems:
        click.echo(problem, err=True)
    count = len(list(Path(sites_dir).glob("*.yml")))
    click.echo(f"{count} site configs, {len(problems)} invalid")
    if live and not problems:
        from stages.sites import check_live, drifted, format_live

        try:
            results = check_live(Path(sites_dir), list(domains), Path(db_path), _scrapy_overrides(overrides, proxy))
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(format_live(results))
        problems = [site for site in results if drifted(site)]
    sys.exit(1 if problems else 0)


@sites.command("add")
@click.argument("url")
@click.option("--sites-dir", default=str(ROOT / "data" / "sites"), show_default=True,
              type=click.Path(file_okay=False), help="Directory to write <domain>.yml into.")
@click.option("--proxy", help="Loopback server serving the sites (sample portal, tests): CRAWL_PROXY.")
@click.option("--force", is_flag=True, help="Replace a different config of the same domain.")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Scrapy setting override.")
def sites_add(url: str, sites_dir: str, proxy: str | None, force: bool, overrides: tuple[str, ...]) -> None:
    """Add a portal by its address: detect its family, news sections and unit; write its config.

    Fetches robots.txt, the page at URL, a few candidate sections and feeds and a few articles
    (politely, as the crawler does), prints what it chose and why, with a preview of the
    articles, and writes <sites-dir>/<domain>.yml (exit 1 when no news section was found).
    """
    from siteconfig import ConfigError
    from stages.sites import add_site, format_added

    try:
        added = add_site(url, Path(sites_dir), _scrapy_overrides(overrides, proxy), force=force)
    except (ValueError, ConfigError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(format_added(added))
    sys.exit(1 if added.status == "kept" else 0)


def _scrapy_overrides(overrides: tuple[str, ...], proxy: str | None) -> dict[str, str]:
    """`-s NAME=VALUE` options and `--proxy` as Scrapy settings."""
    settings = dict(item.split("=", 1) for item in overrides)
    if proxy:
        settings["CRAWL_PROXY"] = proxy
    return settings


@cli.command()
@click.option("--db", "db_path", default=str(ROOT / "data" / "demo.db"), show_default=True,
              type=click.Path(dir_okay=False), help="SQLite database the demo writes.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="Crawler processes on a shared Redis frontier, with one writer.")
@frontier_option
def demo(db_path: str, workers: int, frontier: str | None) -> None:
    """Serve the bundled sample portal on loopback, crawl, extract and store it, print a summary."""
    from stages.demo import run_demo
    from stages.frontier import RedisUnavailable

    try:
        click.echo(run_demo(Path(db_path), workers=workers, frontier=frontier))
    except RedisUnavailable as error:
        raise click.ClickException(str(error)) from error


@cli.command()
@click.option("--frontier", required=True, metavar="redis://HOST:PORT/N", help="The shared Redis frontier.")
@click.option("--db", "db_path", default=str(ROOT / "data" / "training.db"), show_default=True,
              type=click.Path(dir_okay=False), help="SQLite database to store into.")
@click.option("--batch-size", default=500, show_default=True, help="Outbox messages per transaction at most.")
def store(frontier: str, db_path: str, batch_size: int) -> None:
    """The one writer of a Redis frontier: store what its crawler workers send (until SIGTERM)."""
    import redis

    from stages.frontier import run_writer
    from store.writer import WriterBusy

    try:
        stats = run_writer(Path(db_path), frontier, batch_size)
    except (ValueError, redis.RedisError, WriterBusy) as error:
        raise click.ClickException(f"frontier {frontier}: {error}") from error
    click.echo(stats.summary(), err=True)


DEFAULT_DB = ROOT / "data" / "training.db"
db_option = click.option("--db", "db_path", default=str(DEFAULT_DB), show_default=True,
                         type=click.Path(dir_okay=False), help="SQLite database file.")


@cli.command()
@click.option("--write-metadata", is_flag=True, help="Regenerate schema/metadata.yml from the descriptions.")
def schema(write_metadata: bool) -> None:
    """Print the data dictionary (the same descriptions Datasette shows)."""
    from schema.datasette import data_dictionary, write_metadata as write

    click.echo(data_dictionary())
    if write_metadata:
        click.echo(f"wrote {write()}", err=True)


@cli.command()
@click.argument("articles", type=click.Path(exists=True))
@click.option("--records", type=click.Path(exists=True, dir_okay=False),
              help="Records from `pipeline.py extract`, same order; default: run the extractor.")
@click.option("--batch-size", default=2000, show_default=True, help="Articles per transaction.")
@jobs_option
@db_option
def ingest(articles: str, records: str | None, batch_size: int, jobs: int, db_path: str) -> None:
    """Store articles (JSON lines or a directory of JSON files) and their records.

    Exit codes: 0 every article stored, 1 some entries failed or could not be extracted (each in
    `errors`, naming file and line; the others stored), 3 the run crashed (unreadable input, full disk; the database keeps
    every batch committed before).
    """
    from stages.ingest import ingest as run_ingest
    from store import open_database

    with crash_reported(db_path):
        stats = run_ingest(open_database(db_path), articles, records, batch_size=batch_size, jobs=jobs)
    click.echo(stats.summary(), err=True)
    sys.exit(EXIT_SOME_FAILED if stats.some_failed else 0)


@cli.command()
@click.option("--batch-size", default=200, show_default=True, help="Articles per transaction.")
@jobs_option
@db_option
def reextract(batch_size: int, jobs: int, db_path: str) -> None:
    """Re-derive events and mentions of stored articles with the current extractor (resumable).

    Exit codes as for ingest: 0, 1 some articles could not be stored, 3 the run crashed.
    """
    from stages.ingest import reextract as run_reextract
    from store import open_database

    require_database(db_path)
    with crash_reported(db_path):
        stats = run_reextract(open_database(db_path), batch_size=batch_size, jobs=jobs)
    click.echo(stats.summary(), err=True)
    sys.exit(EXIT_SOME_FAILED if stats.some_failed else 0)


CORRECTIONS_FILE = ROOT / "data" / "corrections.yml"
corrections_file_option = click.option(
    "--file", "file_path", type=click.Path(dir_okay=False),
    help=f"Reviewed corrections file (YAML); default {CORRECTIONS_FILE.relative_to(ROOT)} for the default "
         "database, else <db>.corrections.yml beside the database (the demo's stay out of version control).")


def corrections_file_for(db_path: str, file_path: str | None) -> Path:
    """The corrections file of a database: the reviewed data/corrections.yml belongs to the default one."""
    if file_path:
        return Path(file_path)
    db = Path(db_path)
    return CORRECTIONS_FILE if db.resolve() == DEFAULT_DB.resolve() else db.with_suffix(".corrections.yml")


@cli.command()
@click.argument("event_id", type=int)
@click.argument("changes", nargs=-1, required=True, metavar="FIELD=VALUE...")
@click.option("--note", help="Why (kept with the correction).")
@click.option("--author", help="Who corrects (default: $USER).")
@corrections_file_option
@db_option
def correct(event_id: int, changes: tuple[str, ...], note: str | None, author: str | None, file_path: str,
            db_path: str) -> None:
    """Correct or reject extracted values of an event: `correct 12 participant_total=150 start_date=2024-05-06`.

    FIELD is start_date, end_date, participant_total, province_code, district_code, programme_id,
    kind or rejected (rejected=true: not a training activity); an empty VALUE rejects the extracted
    value. The correction is stored apart from the extracted values, applied on top of them (also
    after reextract) and added to the reviewed corrections file.
    """
    import getpass

    from store import open_database
    from store.corrections import CorrectionError, correct_event, write_corrections_file

    require_database(db_path)
    pairs = {}
    for change in changes:
        field, equals, value = change.partition("=")
        if not equals:
            raise click.BadParameter(f"{change!r} is not FIELD=VALUE", param_hint="CHANGES")
        pairs[field.strip()] = value
    try:
        made = correct_event(open_database(db_path), event_id, pairs, note, author or getpass.getuser())
        file_path = corrections_file_for(db_path, file_path)
        total = write_corrections_file(file_path, made)
    except CorrectionError as error:
        raise click.ClickException(str(error)) from error
    for correction in made:
        click.echo(f"event {event_id} ({correction.article_url} #{correction.event_no}): {correction.field} "
                   f"{correction.extracted_value!r} -> {correction.value!r}")
    click.echo(f"{file_path}: {total} corrections", err=True)


def plural(count: int, noun: str) -> str:
    """'1 correction', '2 corrections'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


@cli.group()
def corrections() -> None:
    """Reviewed corrections of extracted values (data/corrections.yml)."""


@corrections.command("load")
@corrections_file_option
@db_option
def corrections_load(file_path: str, db_path: str) -> None:
    """Apply a reviewed corrections file to a database (exit 1 if some no longer fit)."""
    from store import open_database
    from store.corrections import CorrectionError, load_corrections_file

    file_path = corrections_file_for(db_path, file_path)
    try:
        loaded, stale = load_corrections_file(open_database(db_path), file_path)
    except CorrectionError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{plural(loaded, 'correction')} loaded from {file_path}, {stale} no longer fit their article"
               + (f" (`vntrain corrections check --db {db_path}` lists them)" if stale else ""))
    sys.exit(1 if stale else 0)


@corrections.command("check")
@db_option
def corrections_check(db_path: str) -> None:
    """List corrections that no longer fit their article (its text changed); exit 1 if any."""
    from store import open_database
    from store.corrections import stale_corrections

    require_database(db_path)
    stale = stale_corrections(open_database(db_path))
    for row in stale:
        click.echo(f"stale: {row['article_url']} event {row['event_no']} {row['field']}: corrected "
                   f"{row['extracted_value']!r} -> {row['value']!r}, but the article's text has changed")
    click.echo(f"{plural(len(stale), 'stale correction')}")
    sys.exit(1 if stale else 0)


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address Datasette listens on.")
@click.option("--port", default=8001, show_default=True, help="Port Datasette listens on.")
@click.option("--public", is_flag=True, help="Allow a --host other machines can reach (see README: Publishing).")
def serve(db_path: str, host: str, port: int, public: bool) -> None:
    """Publish the database with Datasette (metadata, canned queries, plugins)."""
    from stages.serve import NotPublic, serve as run_serve

    require_database(db_path)
    try:
        run_serve(db_path, host, port, public)
    except (FileNotFoundError, NotPublic) as error:
        raise click.ClickException(str(error)) from error


@cli.command()
@click.argument("what", type=click.Choice(["events", "snapshot"]))
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True,
              help="Format of the events export.")
@click.option("--output", default="-", type=click.Path(dir_okay=False, allow_dash=True),
              help="Events export file (default stdout); its data dictionary is written next to it.")
@click.option("--excel", is_flag=True, help="CSV with a UTF-8 byte-order mark, for Excel.")
@click.option("--out-dir", default=str(ROOT / "data" / "snapshots"), show_default=True,
              type=click.Path(file_okay=False), help="Folder that receives snapshot versions.")
@db_option
def export(what: str, fmt: str, output: str, excel: bool, out_dir: str, db_path: str) -> None:
    """Export events (one row per event, joined fields) or write a versioned database snapshot.

    Codes stay text ("08"): read the CSV with the dtypes of its data dictionary
    (`<file>.dictionary.json`), e.g. pandas.read_csv(path, dtype=dictionary["dtype"]).
    """
    from stages.export import export_events, write_events_dictionary, write_snapshot
    from store import open_database

    require_database(db_path)
    db = open_database(db_path)
    if what == "snapshot":
        click.echo(str(write_snapshot(db, out_dir)))
        return
    with click.open_file(output, "w", encoding="utf-8") as out:
        count = export_events(db, out, fmt, excel=excel)
    message = f"{count} events"
    if output != "-":
        message += f" in {output}; data dictionary: {write_events_dictionary(output)}"
    click.echo(message, err=True)


if __name__ == "__main__":
    cli()
