from tests.support.api_fixtures import client, live_url, make_app, recent_eth, seeded

__all__ = ["client", "live_url", "make_app", "recent_eth", "seeded"]
