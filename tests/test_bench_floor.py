"""The benchmark's framework floor view: served only when DEBUG is on or BENCH_FLOOR=1."""

import pytest
from django.test import Client


@pytest.mark.django_db
def test_floor_is_404_unless_enabled(monkeypatch, settings):
    settings.DEBUG = False
    monkeypatch.delenv("BENCH_FLOOR", raising=False)
    assert Client().get("/bench/floor/").status_code == 404


@pytest.mark.django_db
def test_floor_answers_json_without_touching_the_database(monkeypatch, settings, django_assert_num_queries):
    settings.DEBUG = False
    monkeypatch.setenv("BENCH_FLOOR", "1")
    with django_assert_num_queries(0):
        response = Client().get("/bench/floor/")
    assert response.status_code == 200
    assert response.json() == {"ok": True}
