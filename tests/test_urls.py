"""Template links are remembered per process, and are always what url_for would build."""

from flask import url_for

from kotaku_collab import urls


def test_remembered_links_are_the_links_url_for_builds(app):
    urls._built.clear()
    with app.test_request_context("/"):
        for endpoint, values in [("main.index", {}), ("public.workshop", {"code": "KLK-2019"}),
                                 ("static", {"filename": "css/app.css"}),
                                 ("commitments.index", {"status": "dilaksanakan", "page": 2})]:
            first = urls.template_url_for(endpoint, **values)
            assert first == url_for(endpoint, **values)
            assert urls.template_url_for(endpoint, **values) == first
    assert len(urls._built) == 4


def test_the_script_root_is_part_of_the_key(app):
    urls._built.clear()
    with app.test_request_context("/"):
        plain = urls.template_url_for("main.index")
    with app.test_request_context("/", base_url="http://localhost/kotaku/"):
        mounted = urls.template_url_for("main.index")
    assert (plain, mounted) == ("/", "/kotaku/")


def test_external_and_list_arguments_are_built_every_time(app):
    urls._built.clear()
    with app.test_request_context("/", base_url="https://kotaku.example"):
        assert urls.template_url_for("main.index", _external=True) == "https://kotaku.example/"
        assert urls.template_url_for("commitments.index", sector=["a", "b"]) == \
            "/commitments/?sector=a&sector=b"
    assert urls._built == {}
