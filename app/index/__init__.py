"""Building, saving and loading the search index."""
