"""Local development servers and a Docker-free runner for the coinstream stack.

A library: imported by the test harness and by tools/run_stack.py, never run itself.
"""
