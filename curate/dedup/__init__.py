"""Exact and near-duplicate detection."""
