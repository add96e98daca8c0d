"""Carflow's test suite.

Imported before any test module or conftest, so before carflow: the worker and CLI
processes the tests start inherit the environment set here.
"""

import os

# argon2-cffi's CHEAPEST profile, which it provides for tests: a sign-in costs 0.2 ms
# instead of 0.17 s (carflow/passwords.py; create_app refuses it under ProductionConfig).
os.environ["CARFLOW_TEST_CHEAP_PASSWORD_HASHING"] = "1"
