"""Database schema: table definitions, migrations, search folding and Datasette metadata."""
