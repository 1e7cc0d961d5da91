"""Vietnamese text tools: normalisation, diacritic folding, tokenising, restoration."""
