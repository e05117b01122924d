"""The shop app: products, categories, tags and the site settings, served read-only."""
