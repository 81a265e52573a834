"""What the tests are told about the images they run on."""

from __future__ import annotations

from devstack.docker.standins import (
    FERRETDB_STANDIN,
    KAFKA_STANDIN,
    MONGO_IMAGE,
    RECIPES,
    REDPANDA_IMAGE,
    STANDINS,
    Images,
    recipe_digest,
)


def test_real_images_need_no_settings() -> None:
    assert Images().environment() == {}


def test_without_ryuk_testcontainers_run_without_their_reaper() -> None:
    assert Images(ryuk=False).environment() == {"TESTCONTAINERS_RYUK_DISABLED": "true"}


def test_stood_in_servers_go_to_testcontainers_and_to_compose() -> None:
    env = Images(stood_in={REDPANDA_IMAGE, MONGO_IMAGE}).environment()
    assert env["COINSTREAM_TEST_KAFKA_IMAGE"] == KAFKA_STANDIN
    assert env["COINSTREAM_TEST_MONGO_IMAGE"] == FERRETDB_STANDIN
    assert env["COINSTREAM_COMPOSE_STANDINS"] == str(RECIPES / "compose.standins.yml")


def test_the_python_bases_stand_in_under_their_own_names() -> None:
    """So the Dockerfile's FROM lines are used unchanged."""
    bases = STANDINS[0]
    assert (
        bases.tags
        == bases.real
        == (
            "python:3.11.13-slim-bookworm",
            "python:3.11.13-bookworm",
        )
    )


def test_every_recipe_exists_and_has_a_digest_of_its_own() -> None:
    recipes = [recipe for standin in STANDINS for recipe in standin.recipes]
    assert all((RECIPES / recipe / "Dockerfile").is_file() for recipe in recipes)
    assert len({recipe_digest(recipe) for recipe in recipes}) == len(recipes)
