"""A Docker engine for the tests: the one that answers, or one of our own with stand-in
images for what no registry serves (docs/docker-tests.md)."""
