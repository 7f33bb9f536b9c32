"""Consistent backups of the database and the attachments, and restoring them."""
