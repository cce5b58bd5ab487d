"""Retries and double clicks arriving at the same moment still make one case (both engines)."""

from __future__ import annotations

import re
import secrets
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from portal.concerns.models import Case
from portal.extensions import db, limiter
from portal.knowledge.models import Category
from tests.conftest import csrf


def test_concurrent_submits_with_one_key_make_one_case(live_app):
    limiter.reset()
    key = secrets.token_urlsafe(24)
    with live_app.app_context():
        category = db.session.scalar(select(Category.id).where(Category.code == "food"))
    clients = []
    for _ in range(5):  # the per-address limit allows five a minute
        client = live_app.test_client()
        clients.append((client, csrf(client)))

    def send(pair):  # noqa: ANN001, ANN202
        client, token = pair
        response = client.post(
            "/ask",
            data={
                "csrf_token": token,
                "submission_key": key,
                "kind": "question",
                "name": "Luis Pérez",
                "relationship": "parent",
                "phone": "720-555-0199",
                "contact_method": "phone",
                "language": "es",
                "category": str(category),
                "description": "¿Cómo pido comidas gratis?",
            },
        )
        page = client.get("/ask/received").get_data(as_text=True)
        return (
            response.status_code,
            re.search(r'id="reference">([^<]+)<', page).group(1),
            re.search(r'id="access-code">([^<]+)<', page).group(1),
        )

    with ThreadPoolExecutor(max_workers=5) as pool:
        results = list(pool.map(send, clients))
    assert {status for status, _, _ in results} == {303}
    assert len({(ref, code) for _, ref, code in results}) == 1
    with live_app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(Case).where(Case.submission_key == key)
            )
            == 1
        )
