"""Reviewer pages: the dashboard, its PDF, the gaps and the round comparison; region scope,
bad input without a 500, and a page's statement count at one and ten times the data."""

from __future__ import annotations

import pytest

from kotaku_collab.database import count_queries
from tests import factories
from tests.services.test_review import TODAY, pdf_text, seed_world

#: Names that exist only in Kota Pasuruan (35.75).
PASURUAN = ("Lokakarya Pasuruan", "DPRKP Pasuruan", "Pokja Pasuruan", "Pesisir", "Kota Pasuruan",
            "Rp9")


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("kotaku_collab.review.routes._today", lambda: TODAY)


@pytest.fixture
def world(db):
    world = seed_world()
    db.session.commit()
    return world


@pytest.fixture
def english(client):
    client.post("/language", data={"locale": "en"})


def test_dashboard_shows_the_panels(client, login_as, world, english):
    login_as("reviewer", regions=["51.05"])
    response = client.get("/review/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-testid="stat-registered">5<' in html
    assert 'data-testid="stat-commitments">6<' in html
    assert 'data-testid="stat-follow-through">60 %<' in html
    assert f'/commitments/{world.c2.id}"' in html  # the overdue commitment links to its page
    assert f'/commitments/{world.c2.id}#updates"' in html  # and its update awaits verification
    assert f"/outcomes/mechanisms/{world.m1.id}" in html
    assert html.count("data:image/svg+xml;base64,") == 6
    assert 'data-testid="participants-sector-table"' in html
    assert "/review/dashboard.pdf" in html


@pytest.mark.parametrize("path", ["/review/", "/review/gaps", "/review/dashboard.pdf",
                                  "/review/compare"])
def test_klungkung_reviewer_sees_nothing_of_pasuruan(client, login_as, world, path):
    login_as("reviewer", regions=["51.05"])
    response = client.get(path)
    assert response.status_code == 200
    body = (pdf_text(response.data) if response.mimetype == "application/pdf"
            else response.get_data(as_text=True))
    assert "Klungkung" in body
    for name in PASURUAN:
        assert name not in body, (path, name)


def test_pdf_is_a_pdf_without_contacts(client, login_as, world):
    factories.make_person("Ketut", organisation=world.gov, phone="+6281234567890",
                          email="ketut@example.org")
    factories.db.session.commit()
    login_as("reviewer", regions=["51.05"])
    response = client.get("/review/dashboard.pdf?kabkota=51.05")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "Kabupaten Klungkung" in text and "Dinas PUPRPKP" in text
    assert "6281234567890" not in text and "example.org" not in text and "Ketut" not in text


@pytest.mark.parametrize("query, message", [
    ("kind=nope", "Unknown workshop kind"),
    ("kabkota=99.99", "Unknown regency/city"),
    ("start=2030-06-01&end=2030-01-01", "ends before it starts"),
    ("kabkota=35.75", "outside your regions"),
    ("start=x" * 50, "is not a date"),
])
@pytest.mark.parametrize("path", ["/review/", "/review/gaps", "/review/dashboard.pdf"])
def test_bad_filters_give_a_message_not_a_500(client, login_as, world, english, path, query,
                                              message):
    login_as("reviewer", regions=["51.05"])
    response = client.get(f"{path}?{query}")
    assert response.status_code == 200
    if not path.endswith(".pdf"):
        assert message in response.get_data(as_text=True)


def test_gaps_link_to_what_they_are_about(client, login_as, world, english):
    login_as("reviewer", regions=["51.05"])
    html = client.get("/review/gaps").get_data(as_text=True)
    assert f"/workshops/{world.w2.id}/outcomes/issues/{world.i5.id}" in html
    assert f"/workshops/{world.w2.id}/outcomes/issues/{world.i6.id}" in html
    assert "aspect=jalan_lingkungan" in html and "aspect=air_limbah" in html
    assert f'href="/workshops/{world.w1.id}"' in html
    assert "51.05.03.1003" in html and "51.05.03.1002" in html
    assert "51.05.03.1001" not in html


def test_compare_two_rounds(client, login_as, world, english):
    login_as("reviewer", regions=["51.05"])
    response = client.get(f"/review/compare?a={world.w1.id}&b={world.w2.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-testid="registered-a">3<' in html and 'data-testid="registered-b">1<' in html
    assert 'data-testid="commitments-a">3<' in html and 'data-testid="follow-b">100 %<' in html


def test_compare_without_workshops_shows_the_picker(client, login_as, world, english):
    login_as("reviewer", regions=["51.05"])
    response = client.get("/review/compare")
    assert response.status_code == 200
    assert 'data-testid="compare-form"' in response.get_data(as_text=True)


def test_one_workshop_is_compared_with_its_previous_round(client, login_as, world, english):
    login_as("reviewer", regions=["51.05"])
    response = client.get(f"/review/compare?a={world.w2.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-testid="registered-a">1<' in html and 'data-testid="registered-b">3<' in html


@pytest.mark.parametrize("query", ["a=x&b=y", "a={w1}", "a=-1&b=2", "a=99999999999999999999&b=1",
                                   "a=&b=3", "a=1.5&b=2", "b={w1}"])
def test_compare_with_bad_ids_says_so(client, login_as, world, english, query):
    login_as("reviewer", regions=["51.05"])
    response = client.get("/review/compare?" + query.format(w1=world.w1.id))
    assert response.status_code == 400
    assert "Choose two workshops" in response.get_data(as_text=True)


def test_compare_refuses_workshops_of_two_regions(client, login_as, world, english):
    login_as("reviewer", regions=[], is_national=True)
    response = client.get(f"/review/compare?a={world.w1.id}&b={world.p1.id}")
    assert response.status_code == 400
    assert "same regency/city" in response.get_data(as_text=True)
    same = client.get(f"/review/compare?a={world.w1.id}&b={world.w1.id}")
    assert same.status_code == 400 and "two different" in same.get_data(as_text=True)


def test_compare_hides_workshops_outside_the_scope(client, login_as, world):
    login_as("reviewer", regions=["51.05"])
    assert client.get(f"/review/compare?a={world.w1.id}&b={world.p1.id}").status_code == 404
    assert client.get("/review/compare?a=999999&b=1").status_code == 404


@pytest.mark.parametrize("role", ["organiser", "stakeholder"])
def test_only_reviewers_and_admins(client, login_as, world, role):
    login_as(role)
    for path in ("/review/", "/review/gaps", "/review/compare", "/review/dashboard.pdf"):
        assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ["/review/", "/review/gaps", "/review/dashboard.pdf"])
def test_page_statements_do_not_grow_with_the_data(client, login_as, db, path):
    seed_world()
    db.session.commit()
    login_as("reviewer", regions=["51.05"])
    counts = []
    for extra in (0, 9):
        for n in range(extra):
            seed_world(f" copy {n}")
        db.session.commit()
        with count_queries() as statements:
            assert client.get(path).status_code == 200
        counts.append(statements())
    assert counts[0] == counts[1]


def test_dashboard_in_indonesian(client, login_as, world):
    client.post("/language", data={"locale": "id"})
    login_as("reviewer", regions=["51.05"])
    html = client.get("/review/").get_data(as_text=True)
    assert "Dasbor tinjauan Bappeda" in html and "Tinjauan" in html


def test_links_to_indicators_and_exports_only_where_they_exist(app, client, login_as, world):
    login_as("reviewer", regions=["51.05"])
    html = client.get("/review/?kabkota=51.05").get_data(as_text=True)
    assert ('data-testid="indicators-link"' in html) == ("indicators.region" in app.view_functions)
    assert ('data-testid="export-xlsx"' in html) == ("review.export_xlsx" in app.view_functions)
    if "review.export_xlsx" in app.view_functions:
        assert "/review/export.xlsx?kabkota=51.05" in html
    assert 'data-testid="indicators-link"' not in client.get("/review/").get_data(as_text=True)


def test_demo_data_pages_for_a_klungkung_and_a_national_reviewer(client, login_as, db, english):
    from kotaku_collab.extensions import passwords
    from kotaku_collab.services.demo import seed_demo

    seed_demo(db.session, passwords)
    db.session.commit()
    login_as("reviewer", regions=["51.05"])
    pages = {path: client.get(path) for path in
             ("/review/", "/review/gaps", "/review/dashboard.pdf", "/review/compare")}
    assert all(r.status_code == 200 for r in pages.values())
    html = pages["/review/"].get_data(as_text=True)
    assert "Pasuruan" not in html and "Klungkung" in html
    assert "Pasuruan" not in pages["/review/gaps"].get_data(as_text=True)
    assert "Pasuruan" not in pdf_text(pages["/review/dashboard.pdf"].data)
    login_as("reviewer", regions=[], is_national=True)
    html = client.get("/review/").get_data(as_text=True)
    assert "Pasuruan" in html and "Klungkung" in html


def test_compare_statements_do_not_grow_with_the_data(client, login_as, db):
    world = seed_world()
    db.session.commit()
    login_as("reviewer", regions=["51.05"])
    url = f"/review/compare?a={world.w1.id}&b={world.w2.id}"
    counts = []
    for extra in (0, 9):
        for n in range(extra):
            copy = seed_world(f" copy {n}")
            # More of everything in the two compared rounds as well.
            factories.make_registration(world.w1, factories.make_person(organisation=copy.gov))
            factories.make_issue(world.w2, f"Isu {n}")
            factories.make_commitment(copy.biz, world.w2)
        db.session.commit()
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        counts.append(statements())
    assert counts[0] == counts[1]


def test_dashboard_lists_are_bounded_with_exact_totals(client, login_as, world, db, english,
                                                       monkeypatch):
    from datetime import date

    from kotaku_collab.models import CommitmentStatus, Sector
    from kotaku_collab.services import review

    # Koperasi: three open commitments past their target: the only organisation with the three
    # counted commitments a rank needs; 0 % done or on track. Overdue: c2 and these three.
    coop = factories.make_organisation("Koperasi Warga", sector=Sector.MASYARAKAT)
    for _n in range(3):
        factories.make_commitment(coop, world.w1, status=CommitmentStatus.DILAKSANAKAN,
                                  target_date=date(2030, 5, 1))
    db.session.commit()
    monkeypatch.setattr(review, "LIST_LIMIT", 2)
    login_as("reviewer", regions=["51.05"])
    html = client.get("/review/").get_data(as_text=True)
    assert ("The 20 organisations with the lowest follow-through among the 1 with at least 3 "
            "counted commitments (of 4 organisations with commitments)") in html
    table = html.split('data-testid="follow-through-organisation"')[1].split("</table>")[0]
    assert f'/commitments/?organisation={coop.id}"' in table
    assert "Koperasi Warga" in table and "Dinas PUPRPKP" not in table
    overdue = html.split('data-testid="overdue-table"')[1].split("</table>")[0]
    assert overdue.count("<tr>") == 1 + 2  # the header and LIST_LIMIT rows
    assert 'href="/commitments/?flag=overdue">2 of 4 shown.' in html
    assert 'data-testid="stat-overdue">4<' in html


def test_gaps_page_shows_totals_beyond_the_limit(client, login_as, world, english, monkeypatch):
    from kotaku_collab.services import review

    monkeypatch.setattr(review, "LIST_LIMIT", 1)
    login_as("reviewer", regions=["51.05"])
    html = client.get("/review/gaps").get_data(as_text=True)
    issues = html.split('data-testid="gap-issues"')[1].split("</ul>")[0]
    assert issues.count("<li>") == 1
    assert html.count('data-testid="gap-more">1 of 2 shown.') == 3  # issues, sectors, kelurahan


def test_a_repeat_view_renders_no_chart_again(client, login_as, world, monkeypatch):
    from kotaku_collab.services import review

    calls = []
    real = review.dashboard_charts
    monkeypatch.setattr(review, "dashboard_charts", lambda data: calls.append(1) or real(data))
    login_as("reviewer", regions=["51.05"])
    client.post("/language", data={"locale": "id"})
    first = client.get("/review/").get_data(as_text=True)
    again = client.get("/review/").get_data(as_text=True)
    assert len(calls) == 1 and first.count("data:image/svg+xml;base64,") == 6

    def main(html):  # the layout around <main> holds a CSRF token that changes every second
        return html[html.index("<main"):html.index("</main>")]

    assert main(again) == main(first)
    # Another language is another cache entry: its own labels and charts.
    client.post("/language", data={"locale": "en"})
    english_html = client.get("/review/").get_data(as_text=True)
    assert len(calls) == 2
    assert "Participants by sector" in english_html and "Participants by sector" not in first
