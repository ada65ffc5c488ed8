"""The demo world that ``manage.py seed_demo`` builds, one module per domain: the organization
tree and its 班子 (tree), the members (roster), the demo accounts (accounts), a year of meetings
(meetings), people on their way in (development) and a year of dues (dues). Each builder is
idempotent: it leaves what an earlier run built alone. Every write goes through the services.
"""
