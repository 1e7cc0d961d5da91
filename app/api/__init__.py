"""HTTP layer: thin routes over the assistant."""
