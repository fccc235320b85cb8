"""Spiders of the crawler project (`scrapy list`)."""
