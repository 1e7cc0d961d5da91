"""The service's benchmark: `python -m bench` prints one table of figures from one run on this machine."""
