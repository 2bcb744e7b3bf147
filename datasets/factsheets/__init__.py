"""Turning the shared fact sheets (facts.yaml, chips.yaml) into the curated dataset's fixture files."""
