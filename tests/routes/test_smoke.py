from tests import factories


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_organiser_home_lists_workshop_in_scope(client, login_as, db):
    login_as("organiser", regions=["51.05"])
    factories.make_workshop("51.05", title="Lokakarya Klungkung")
    factories.make_workshop("35.75", title="Lokakarya Pasuruan")
    db.session.commit()
    html = client.get("/home").get_data(as_text=True)
    assert "Lokakarya Klungkung" in html
    assert "Lokakarya Pasuruan" not in html


def test_anonymous_landing_page_lists_open_workshops(client, db):
    from kotaku_collab.models import WorkshopStatus

    factories.make_workshop("51.05", title="Lokakarya Terbuka")
    factories.make_workshop("51.05", title="Masih Draf", status=WorkshopStatus.DRAFT)
    db.session.commit()
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Lokakarya Terbuka" in html and "Masih Draf" not in html
    assert "100% access" in html or "100% akses" in html
