"""SQLite that compares text as PostgreSQL does, for the reference service."""
