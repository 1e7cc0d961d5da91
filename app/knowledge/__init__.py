"""The curated knowledge base: articles, FAQ entries, sources and synonyms."""
