"""The database layer: everything that reads or writes the pipeline's SQLite file.

Used by the crawler's item pipeline, the Redis frontier's writer and the stages; it imports only
`schema` (table definitions, search folding). One module per job:

- ``database``: ``open_database(path)`` creates or migrates the schema (WAL, foreign keys on)
  and finishes what a killed bulk load left undone (its indexes, the search indexes' merge);
  ``utc_now()``; ``table_counts(db)``; ``describe_storage_error(error, path)`` turns a failed write
  into a clear message ("disk full while writing data/training.db"), ``is_disk_full``.
- ``rows``: one article and its extractor record -> rows (pure): ``article_row``, ``derive_rows``,
  ``validate_record``, ``content_hash``, ``site_of``.
- ``save``: ``save_article(db, article, record)`` -> "new" | "unchanged" | "changed" (one
  transaction); ``save_articles(db, items)`` for a batch; ``save_stream(db, items)`` for many
  batches, preparing the next while one is written; ``prepare(article, record)`` makes an
  article's rows without the database (so worker processes can), ``for_writer`` keeps of them
  what the writer reads (the body left out when the writer holds it: ``with_article_body``
  puts it back), and ``save_prepared_stream(db, prepared)`` writes a stream of them. A changed
  body makes a new version.
- ``articles``: ``known_articles(db, site)`` (what the crawler compares against) and
  ``mark_checked(db, url, checked_at)`` after a 304.
- ``runs``: ``upsert_sites``, ``record_crawl_run``, ``record_error``.
- ``urls``: the crawler's memory of links without an article (dead, skipped, failed) and their
  backoff: ``remembered_urls``, ``remember_url``, ``forget_url``, ``checked_between``.
- ``outbox`` and ``writer``: the one writer of a Redis crawl frontier: the messages crawler
  workers send instead of writing (``Outbox``), the crawl state published for them
  (``CrawlState``), and ``Writer``, which applies the messages through the functions above.
- ``bulk``: a large load into a smaller store builds the indexes only readers use after its
  last batch (``is_bulk_load``, ``indexes_deferred``) and merges the search indexes once, at its
  end (``finish_load``; ``finish_stopped_load`` after a killed one).
- ``catalogue``: ``load_programmes(db, path)``.
- ``search``: ``search_articles(db, query)`` with or without diacritics.
"""
from store.articles import known_articles, mark_checked
from store.catalogue import load_programmes
from store.database import describe_storage_error, is_disk_full, open_database, table_counts, utc_now
from store.rows import InvalidRecord, content_hash, validate_record
from store.runs import record_crawl_run, record_error, upsert_sites
from store.save import (Prepared, for_writer, prepare, save_article, save_articles, save_prepared,
                        save_prepared_stream, save_stream, with_article_body)
from store.search import search_articles
from store.urls import UrlState, checked_between, forget_url, remember_url, remembered_urls

__all__ = ["InvalidRecord", "Prepared", "UrlState", "checked_between", "content_hash", "describe_storage_error",
           "for_writer", "forget_url", "is_disk_full", "known_articles", "load_programmes", "mark_checked",
           "open_database", "prepare", "record_crawl_run", "record_error", "remember_url", "remembered_urls",
           "save_article", "save_articles", "save_prepared", "save_prepared_stream", "save_stream", "search_articles",
           "table_counts", "upsert_sites", "utc_now", "validate_record", "with_article_body"]
